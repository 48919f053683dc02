import PresenceCore

/// Collects every error of one validation pass, each placed at its position in the file.
final class Diagnostics {
    let file: String
    /// Byte offsets of the values (of the keys, for object members) in the file, by path text.
    let positions: [String: Int]
    /// Paths whose value came from an override, with the override as written, for a hint.
    var overridden: [(path: JSONPath, text: String)] = []
    private(set) var errors: [ScenarioError] = []

    init(file: String, positions: [String: Int]) {
        self.file = file
        self.positions = positions
    }

    func report(_ path: JSONPath, _ message: String, hint: String? = nil) {
        var hint = hint
        if let source = overridden.last(where: { path.components.starts(with: $0.path.components) }) {
            let note = "the value comes from --set \(source.text)"
            hint = hint.map { $0 + " (\(note))" } ?? note
        }
        errors.append(
            ScenarioError(
                file: file, path: path.description, message: message, hint: hint, line: nil, column: nil,
                offset: offset(of: path)))
    }

    func append(_ error: ScenarioError) { errors.append(error) }

    /// The offset of the path, or of its nearest ancestor that is in the file.
    func offset(of path: JSONPath) -> Int {
        var components = path.components[...]
        while true {
            if let offset = positions[JSONPath.describe(components)] { return offset }
            if components.isEmpty { return 0 }
            components = components.dropLast()
        }
    }
}

/// The members of a JSON object that the format knows, looked up by key.
struct Members {
    let path: JSONPath
    private let values: [String: JSONValue]
    /// Keys an unknown key was reported as a likely misspelling of: not reported again as missing.
    let suggested: Set<String>

    init(path: JSONPath, values: [String: JSONValue], suggested: Set<String> = []) {
        self.path = path
        self.values = values
        self.suggested = suggested
    }

    subscript(key: String) -> JSONValue? { values[key] }
    func path(_ key: String) -> JSONPath { path.appending(key) }
}

/// A duration-typed value as written: a duration, one of the allowed keywords, or a multiple ("3x").
enum DurationReading {
    case interval(Interval)
    case keyword(String)
    /// The factor of a multiple, a validated positive decimal.
    case multiple(Substring)
}

/// Whether a zero duration is allowed.
enum ZeroRule {
    case allowed
    case rejected
}

/// The generic readers: each checks one value, reports what is wrong, and returns nil when it is.
///
/// Readers never trap: numbers are range-checked as Doubles before any conversion, durations use exact
/// checked arithmetic.
struct Validator {
    let diagnostics: Diagnostics

    func report(_ path: JSONPath, _ message: String, hint: String? = nil) {
        diagnostics.report(path, message, hint: hint)
    }

    // MARK: - Describing values

    /// How an error names the value it found: `the number 20`, `"20 sec"`, `an empty object`.
    static func found(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): "the number " + JSONValue.numberText(number)
        case .bigInteger(let literal): "the number " + (literal.count > 40 ? literal.prefix(37) + "..." : literal)
        case .string(let text): quoted(text)
        case .array(let elements): elements.isEmpty ? "an empty array" : "an array of \(elements.count)"
        case .object(let members): members.isEmpty ? "an empty object" : "an object"
        }
    }

    /// A string as JSON, shortened past 60 characters.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return JSONValue.string(shown).serialized(.compact)
    }

    func mismatch(_ path: JSONPath, expected: String, found value: JSONValue, hint: String? = nil) {
        var hint = hint
        if hint == nil, case .null = value { hint = "null is not a value here; to use the default, leave the key out" }
        report(path, "expected \(expected), found \(Self.found(value))", hint: hint)
    }

    // MARK: - Objects

    /// The object's members, after reporting every key not in `keys` (with a did-you-mean).
    func members(_ value: JSONValue, _ path: JSONPath, expected: String, keys: [String]) -> Members? {
        guard case .object(let pairs) = value else {
            mismatch(path, expected: expected, found: value)
            return nil
        }
        var values: [String: JSONValue] = [:]
        var suggested: Set<String> = []
        for (key, member) in pairs {
            if keys.contains(key) {
                values[key] = member
            } else if let near = unknownKey(key, in: path, keys: keys, present: Set(pairs.map(\.key))) {
                suggested.insert(near)
            }
        }
        return Members(path: path, values: values, suggested: suggested)
    }

    /// Reports an unknown key; returns the key it is likely a misspelling of.
    @discardableResult
    func unknownKey(_ key: String, in path: JSONPath, keys: [String], present: Set<String> = []) -> String? {
        let keyPath = path.appending(key)
        if let near = Suggestions.closest(to: key, among: keys, excluding: present) {
            report(keyPath, "unknown key '\(key)'; did you mean '\(near)'?")
            return near
        } else if let home = ScenarioKeys.home(of: key, excluding: path.description) {
            report(keyPath, "unknown key '\(key)' here", hint: "'\(key)' belongs elsewhere: write it as \(home)")
        } else {
            report(
                keyPath, "unknown key '\(key)'",
                hint: "the keys here are " + keys.map { "'\($0)'" }.joined(separator: ", "))
        }
        return nil
    }

    /// The member, or nil after reporting that it is missing.
    func required(_ members: Members, _ key: String, expected: String, hint: String? = nil) -> JSONValue? {
        if let value = members[key] { return value }
        guard !members.suggested.contains(key) else { return nil }  // reported as a misspelling already
        report(members.path(key), "required key is missing; expected \(expected)", hint: hint)
        return nil
    }

    // MARK: - Scalars

    func string(_ value: JSONValue, _ path: JSONPath, expected: String = "a string") -> String? {
        if case .string(let text) = value { return text }
        mismatch(path, expected: expected, found: value)
        return nil
    }

    func bool(_ value: JSONValue, _ path: JSONPath) -> Bool? {
        if case .bool(let flag) = value { return flag }
        var hint: String? = nil
        if case .string(let text) = value, ["true", "false"].contains(text.lowercased()) {
            hint = "write it without quotes: \(text.lowercased())"
        }
        mismatch(path, expected: "true or false", found: value, hint: hint)
        return nil
    }

    /// A finite number for which `accepts` holds; `expected` describes the accepted range.
    func number(
        _ value: JSONValue, _ path: JSONPath, expected: String, hint: String? = nil, accepts: (Double) -> Bool
    ) -> Double? {
        guard let number = value.doubleValue else {
            var hint = hint
            if case .string(let text) = value, let parsed = Double(text), parsed.isFinite {
                hint = "write it without quotes: \(text)"
            }
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        }
        guard number.isFinite, accepts(number) else {
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        }
        return number
    }

    /// A share of a population or of events, in 0...1.
    func share(_ value: JSONValue, _ path: JSONPath) -> Double? {
        var hint: String? = nil
        if let number = value.doubleValue, number >= 2, number <= 100 {
            hint =
                "a share is a fraction of 1: write \(JSONValue.numberText(number / 100)) for \(JSONValue.numberText(number))%"
        } else if let number = value.doubleValue, number > 1 || number < 0 {
            hint = "a share is a fraction of 1: 0 is none, 1 is all, 0.3 is 30%"
        } else if case .string(let text) = value, text.hasSuffix("%"), let percent = Double(text.dropLast()),
            percent.isFinite
        {
            hint = "write \(JSONValue.numberText(percent / 100)) instead of \(Self.quoted(text))"
        }
        if case .string(let text) = value, Double(text) == nil, hint == nil {
            hint = "a share is a plain number such as 0.3"
        }
        return number(value, path, expected: "a share between 0 and 1", hint: hint) { (0...1).contains($0) }
    }

    /// A whole number in `range`.
    func integer(_ value: JSONValue, _ path: JSONPath, range: ClosedRange<Int>, expected: String) -> Int? {
        let expectation = "\(expected) between \(range.lowerBound) and \(range.upperBound)"
        guard let number = value.doubleValue, number.isFinite, number == number.rounded() else {
            var hint: String? = nil
            if case .string(let text) = value, Int(text) != nil { hint = "write it without quotes: \(text)" }
            mismatch(path, expected: expectation, found: value, hint: hint)
            return nil
        }
        guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            mismatch(path, expected: expectation, found: value)
            return nil
        }
        return Int(number)
    }

    // MARK: - Durations

    static let durationExample = "a duration with a unit like \"20s\" or \"250ms\""

    /// Reads a duration, or one of `keywords`, or (with `multipleOf`) a positive multiple like `"3x"`.
    func duration(
        _ value: JSONValue, _ path: JSONPath, zero: ZeroRule = .rejected, keywords: [String] = [],
        multipleOf: String? = nil
    ) -> DurationReading? {
        var forms = [Self.durationExample]
        if let multipleOf { forms.append("a multiple of the \(multipleOf) like \"3x\"") }
        forms += keywords.map { "\"\($0)\"" }
        let expected =
            forms.count == 1 ? forms[0] : forms.dropLast().joined(separator: ", ") + " or " + forms[forms.count - 1]

        guard case .string(let text) = value else {
            var hint: String? = nil
            if let number = value.doubleValue, number.isFinite {
                let amount = JSONValue.numberText(number.magnitude)
                hint = "durations are strings with a unit: write \"\(amount)s\" for \(amount) seconds"
            }
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        }
        if keywords.contains(text) { return .keyword(text) }
        if let keyword = keywords.first(where: { $0.lowercased() == text.lowercased() }) {
            mismatch(path, expected: expected, found: value, hint: "write \"\(keyword)\" in lower case")
            return nil
        }
        if let multipleOf, text.hasSuffix("x") {
            let factor = text.dropLast()
            guard let decimal = DurationSyntax.DecimalNumber(factor) else {
                let hint =
                    factor.hasPrefix("-")
                    ? "a multiple must be positive" : "write a number before the x: \"3x\", \"2.5x\""
                mismatch(path, expected: expected, found: value, hint: hint)
                return nil
            }
            guard decimal.integer > 0 || decimal.fraction > 0 else {
                report(path, "expected a multiple of the \(multipleOf) greater than 0, found \(Self.quoted(text))")
                return nil
            }
            return .multiple(factor)
        }
        switch DurationSyntax.parse(text) {
        case .success(let interval):
            if interval == .zero, zero == .rejected {
                let off = keywords.first { $0 == "off" || $0 == "never" }
                report(
                    path, "expected a duration greater than 0, found \(Self.quoted(text))",
                    hint: off.map { "to turn it off, write \"\($0)\"" })
                return nil
            }
            return .interval(interval)
        case .failure(.negative):
            let bound = zero == .allowed ? "of at least 0s" : "greater than 0"
            report(path, "expected a duration \(bound), found \(Self.quoted(text))")
        case .failure(.tooLarge):
            report(path, "expected a duration of at most \"36500d\" (100 years), found \(Self.quoted(text))")
        case .failure(.finerThanNanosecond):
            report(path, "expected a whole number of nanoseconds, found \(Self.quoted(text))")
        case .failure(.malformed(let hint)):
            mismatch(path, expected: expected, found: value, hint: hint)
        }
        return nil
    }

    /// A plain duration (no keywords, no multiples).
    func interval(_ value: JSONValue, _ path: JSONPath, zero: ZeroRule = .rejected) -> Interval? {
        if case .interval(let interval) = duration(value, path, zero: zero) { return interval }
        return nil
    }

    /// A duration or the one keyword that means "none" (nil in the model).
    func optionalInterval(_ value: JSONValue, _ path: JSONPath, none keyword: String) -> Interval?? {
        switch duration(value, path, keywords: [keyword]) {
        case .interval(let interval): return .some(interval)
        case .keyword: return .some(nil)
        case .multiple, nil: return nil
        }
    }

    /// `base × factor`, reporting a result beyond the longest duration at `path`.
    func multiply(_ base: Interval, by factor: Substring, _ path: JSONPath, what: String) -> Interval? {
        switch DurationSyntax.multiply(base, by: factor) {
        case .success(let interval) where interval > .zero: return interval
        case .success:
            report(path, "\(factor)x of the \(what) (\(base)) rounds to 0; expected a duration greater than 0")
        case .failure:
            report(path, "\(factor)x of the \(what) (\(base)) is longer than the longest duration, \"36500d\"")
        }
        return nil
    }

    // MARK: - Distributions

    static func distributionForms(never: Bool) -> String {
        "the forms are " + (never ? "\"never\", " : "") + "{\"constant\": \"50ms\"}, {\"uniform\": [\"2s\", \"30s\"]}, "
            + "{\"exponential\": \"30m\"} (the mean) and {\"lognormal\": {\"median\": \"1m\", \"p99\": \"30m\"}}"
    }

    /// Reads a distribution of durations. `zero` says whether 0 may be drawn (latency); `never` whether
    /// `"never"` is allowed.
    func distribution(_ value: JSONValue, _ path: JSONPath, zero: ZeroRule = .rejected, never: Bool = true)
        -> Distribution?
    {
        let expected =
            (never ? "\"never\" or " : "")
            + "a distribution like {\"exponential\": \"30m\"} or {\"constant\": \"50ms\"}"
        let formsHint = Self.distributionForms(never: never)
        switch value {
        case .string("never") where never:
            return .never
        case .string(let text):
            var hint = formsHint
            if case .success = DurationSyntax.parse(text) {
                hint =
                    "write {\"constant\": \"\(text)\"} for a fixed value or {\"exponential\": \"\(text)\"} for a random one with that mean"
            } else if text == "never" {
                hint = "\"never\" is not allowed here"
            }
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        case .object(let pairs):
            guard !pairs.isEmpty else {
                mismatch(path, expected: expected, found: value, hint: formsHint)
                return nil
            }
            var forms: [(String, JSONValue)] = []
            for (key, member) in pairs {
                if ScenarioKeys.distributionForms.contains(key) {
                    forms.append((key, member))
                } else {
                    unknownKey(key, in: path, keys: ScenarioKeys.distributionForms, present: Set(pairs.map(\.key)))
                }
            }
            guard forms.count <= 1 else {
                report(
                    path,
                    "a distribution has exactly one form, found "
                        + forms.map { "'\($0.0)'" }.joined(separator: " and "),
                    hint: formsHint)
                return nil
            }
            guard let (form, body) = forms.first else { return nil }
            return distributionForm(form, body, path.appending(form), zero: zero)
        default:
            mismatch(path, expected: expected, found: value, hint: formsHint)
            return nil
        }
    }

    private func distributionForm(_ form: String, _ body: JSONValue, _ path: JSONPath, zero: ZeroRule) -> Distribution?
    {
        switch form {
        case "constant":
            return interval(body, path, zero: zero).map(Distribution.constant)
        case "uniform":
            guard case .array(let bounds) = body, bounds.count == 2 else {
                mismatch(path, expected: "two durations [low, high] like [\"2s\", \"30s\"]", found: body)
                return nil
            }
            let low = interval(bounds[0], path.appending(index: 0), zero: .allowed)
            let high = interval(bounds[1], path.appending(index: 1), zero: zero)
            guard let low, let high else { return nil }
            guard low <= high else {
                report(
                    path, "expected [low, high] with low <= high, found [\"\(low)\", \"\(high)\"]",
                    hint: "write [\"\(high)\", \"\(low)\"]")
                return nil
            }
            return .uniform(low, high)
        case "exponential":
            return interval(body, path).map { .exponential(mean: $0) }
        default:  // lognormal
            guard
                let members = members(
                    body, path, expected: "an object like {\"median\": \"1m\", \"p99\": \"30m\"}",
                    keys: ScenarioKeys.lognormal)
            else { return nil }
            let median = required(members, "median", expected: "a duration like \"1m\"").flatMap {
                interval($0, members.path("median"))
            }
            let p99 = required(members, "p99", expected: "a duration like \"30m\"").flatMap {
                interval($0, members.path("p99"))
            }
            guard let median, let p99 else { return nil }
            guard median <= p99 else {
                report(path, "expected median <= p99, found median \"\(median)\" and p99 \"\(p99)\"")
                return nil
            }
            return .lognormal(median: median, p99: p99)
        }
    }
}
