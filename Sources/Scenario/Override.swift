/// One `--set KEY=VALUE`: a value put into the scenario's JSON before validation, so that any key can be
/// changed from the command line or by a sweep.
///
/// The path uses `.` between keys and `[n]` for array elements (`protocol.heartbeat`, `faults[0].at`);
/// a key with dots goes in quoted brackets (`thresholds["cost.heartbeatsPerSecond"]`), and everything
/// after `thresholds.` is taken as one metric name. Missing objects on the way are created; an index may
/// name an existing element or the next one (to append). A `null` value removes the key, so that its
/// default applies again.
public struct Override: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var value: JSONValue

    public init(path: String, value: JSONValue) {
        self.path = path
        self.value = value
    }

    /// Parses the command-line form `KEY=VALUE`. VALUE is JSON when it parses as JSON (a number, `true`,
    /// an object, a quoted string...), else the text itself: `protocol.heartbeat=10s` gives the string
    /// `"10s"`, `clients=500` the number 500.
    public static func parse(_ text: String) throws(ScenarioErrors) -> Override {
        func failure(_ path: String, _ message: String, hint: String? = nil) -> ScenarioErrors {
            ScenarioErrors([ScenarioError(file: "--set", path: path, message: message, hint: hint)])
        }
        guard let equals = text.firstIndex(of: "=") else {
            throw failure(
                "", "expected KEY=VALUE, found \(Validator.quoted(text))",
                hint: "for example --set protocol.heartbeat=10s")
        }
        let key = String(text[..<equals]).trimmingSpaces
        let valueText = String(text[text.index(after: equals)...]).trimmingSpaces
        if case .failure(let error) = JSONPath.parse(key) {
            throw failure(key, "expected a key path like protocol.heartbeat or faults[0].at: \(error.message)")
        }
        let value = (try? JSONValue.parse(valueText)) ?? .string(valueText)
        return Override(path: key, value: value)
    }

    /// `protocol.heartbeat=10s` (strings unquoted, other values as compact JSON).
    public var description: String {
        if case .string(let text) = value { return path + "=" + text }
        return path + "=" + value.serialized(.compact)
    }
}

extension JSONValue {
    /// Puts `value` at `path`, creating missing objects (and an array for a missing `[0]`); `null`
    /// removes an object member.
    mutating func set(_ value: JSONValue, at path: JSONPath) -> Result<Void, PathSyntaxError> {
        do throws(PathSyntaxError) {
            self = try Self.setting(value, at: path.components[...], in: self, walked: .root) ?? .object([])
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The container `current` with `value` put at `components`; nil means "remove".
    private static func setting(
        _ value: JSONValue, at components: ArraySlice<JSONPath.Component>, in current: JSONValue?, walked: JSONPath
    ) throws(PathSyntaxError) -> JSONValue? {
        guard let first = components.first else { return value.isNull ? nil : value }
        let rest = components.dropFirst()
        let place = walked.components.isEmpty ? "the top level" : walked.description
        switch first {
        case .key(let key):
            var members: [(key: String, value: JSONValue)]
            switch current {
            case nil: members = []
            case .object(let existing)?: members = existing
            case let other?:
                throw PathSyntaxError(
                    message: "cannot set '\(key)' inside \(place): it is \(Validator.found(other)), not an object")
            }
            let index = members.firstIndex { $0.key == key }
            let updated = try setting(
                value, at: rest, in: index.map { members[$0].value }, walked: walked.appending(key))
            switch (index, updated) {
            case (let index?, let updated?): members[index].value = updated
            case (let index?, nil): members.remove(at: index)
            case (nil, let updated?): members.append((key: key, value: updated))
            case (nil, nil): break
            }
            return .object(members)
        case .index(let index):
            var elements: [JSONValue]
            switch current {
            case nil: elements = []
            case .array(let existing)?: elements = existing
            case let other?:
                throw PathSyntaxError(
                    message: "cannot set [\(index)] inside \(place): it is \(Validator.found(other)), not an array")
            }
            guard index <= elements.count else {
                throw PathSyntaxError(
                    message: "\(place) has \(elements.count) element\(elements.count == 1 ? "" : "s"); "
                        + "expected an index of at most \(elements.count) (\(elements.count) appends)")
            }
            let existing = index < elements.count ? elements[index] : nil
            guard let updated = try setting(value, at: rest, in: existing, walked: walked.appending(index: index))
            else {
                throw PathSyntaxError(message: "cannot remove an array element with null; set the whole array instead")
            }
            if index < elements.count { elements[index] = updated } else { elements.append(updated) }
            return .array(elements)
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
