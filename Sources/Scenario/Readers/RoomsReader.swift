import Foundation

/// The `rooms` section: how many members a room has, and how many rooms a client is in.
extension Validator {
    func rooms(_ value: JSONValue, _ path: JSONPath) -> Rooms? {
        let expected = "an object like {\"size\": {\"uniform\": [2, 8]}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.rooms) else { return nil }
        let size = required(members, "size", expected: "a room size like 5 or {\"uniform\": [2, 8]}").flatMap {
            countDistribution($0, members.path("size"), .roomSize)
        }
        var perClient: CountDistribution? = .constant(1)
        if let value = members["perClient"] {
            perClient = countDistribution(value, members.path("perClient"), .roomsPerClient)
        }
        var threads: Rooms.Threads?
        if let value = members["threads"] {
            threads = self.threads(value, members.path("threads"))
            guard threads != nil else { return nil }
        }
        guard let size, let perClient else { return nil }
        return Rooms(size: size, perClient: perClient, threads: threads)
    }

    /// `rooms.threads`: rooms that carry typing only, each with its size and threads per client.
    private func threads(_ value: JSONValue, _ path: JSONPath) -> Rooms.Threads? {
        let expected = "an object like {\"size\": {\"uniform\": [2, 8]}, \"perClient\": {\"uniform\": [0, 3]}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.threads) else { return nil }
        let size = required(members, "size", expected: "a thread size like 5 or {\"uniform\": [2, 8]}").flatMap {
            countDistribution($0, members.path("size"), .threadSize)
        }
        let perClient = required(members, "perClient", expected: "a number of threads like 2 or {\"uniform\": [0, 3]}")
            .flatMap { countDistribution($0, members.path("perClient"), .threadsPerClient) }
        guard let size, let perClient else { return nil }
        return Rooms.Threads(size: size, perClient: perClient)
    }

    /// What a whole-number distribution counts: its noun in messages and its range.
    struct CountKind {
        var noun: String
        var range: ClosedRange<Int>
        var example: String

        static let roomSize = CountKind(noun: "a room size", range: 1...1_000_000, example: "5")
        static let roomsPerClient = CountKind(noun: "a number of rooms", range: 1...10_000, example: "3")
        static let threadSize = CountKind(noun: "a thread size", range: 1...1_000_000, example: "5")
        static let threadsPerClient = CountKind(noun: "a number of threads", range: 0...10_000, example: "2")
    }

    /// Reads a whole-number distribution: `5`, `{"constant": 5}`, `{"uniform": [2, 8]}`,
    /// `{"zipf": {"exponent": 1.1, "min": 2, "max": 50000}}` or `{"lognormal": {"median": 6, "p99": 2000}}`.
    func countDistribution(_ value: JSONValue, _ path: JSONPath, _ kind: CountKind) -> CountDistribution? {
        let expected =
            "\(kind.noun) like \(kind.example), {\"uniform\": [2, 8]}, "
            + "{\"zipf\": {\"exponent\": 1.1, \"min\": 2, \"max\": 500}} or {\"lognormal\": {\"median\": 6, \"p99\": 200}}"
        switch value {
        case .number, .bigInteger:
            return integer(value, path, range: kind.range, expected: kind.noun).map(CountDistribution.constant)
        case .object(let pairs) where pairs.count == 1 && ScenarioKeys.countForms.contains(pairs[0].key):
            let (form, body) = pairs[0]
            let formPath = path.appending(form)
            switch form {
            case "constant":
                return integer(body, formPath, range: kind.range, expected: kind.noun).map(CountDistribution.constant)
            case "uniform": return uniformCount(body, formPath, kind)
            case "zipf": return zipf(body, formPath, kind)
            default: return lognormalCount(body, formPath, kind)
            }
        case .object(let pairs) where !pairs.isEmpty:
            for (key, _) in pairs where !ScenarioKeys.countForms.contains(key) {
                unknownKey(key, in: path, keys: ScenarioKeys.countForms)
            }
            if pairs.allSatisfy({ ScenarioKeys.countForms.contains($0.key) }) {
                let forms = pairs.map { "'\($0.key)'" }.joined(separator: " and ")
                report(path, "\(kind.noun) has exactly one form, found \(forms)")
            }
            return nil
        default:
            mismatch(path, expected: expected, found: value)
            return nil
        }
    }

    private func uniformCount(_ body: JSONValue, _ path: JSONPath, _ kind: CountKind) -> CountDistribution? {
        guard case .array(let bounds) = body, bounds.count == 2 else {
            mismatch(path, expected: "two bounds [low, high] like [2, 8]", found: body)
            return nil
        }
        let low = integer(bounds[0], path.appending(index: 0), range: kind.range, expected: kind.noun)
        let high = integer(bounds[1], path.appending(index: 1), range: kind.range, expected: kind.noun)
        guard let low, let high else { return nil }
        guard low <= high else {
            report(
                path, "expected [low, high] with low <= high, found [\(low), \(high)]", hint: "write [\(high), \(low)]")
            return nil
        }
        return .uniform(low, high)
    }

    private func zipf(_ body: JSONValue, _ path: JSONPath, _ kind: CountKind) -> CountDistribution? {
        guard
            let members = members(
                body, path, expected: "an object like {\"exponent\": 1.1, \"min\": 2, \"max\": 500}",
                keys: ScenarioKeys.zipf)
        else { return nil }
        let exponent = required(members, "exponent", expected: "a positive number like 1.1").flatMap {
            number($0, members.path("exponent"), expected: "a positive number like 1.1") { $0 > 0 && $0 <= 100 }
        }
        // A zipf's weights are k^-exponent: it starts at 1 even where the count may be 0.
        let range = max(1, kind.range.lowerBound)...kind.range.upperBound
        let low = required(members, "min", expected: kind.noun).flatMap {
            integer($0, members.path("min"), range: range, expected: kind.noun)
        }
        let high = required(members, "max", expected: kind.noun).flatMap {
            integer($0, members.path("max"), range: range, expected: kind.noun)
        }
        if let low, let high, low > high { report(path, "expected min <= max, found min \(low) and max \(high)") }
        guard let exponent, let low, let high, low <= high else { return nil }
        return .zipf(exponent: exponent, min: low, max: high)
    }

    private func lognormalCount(_ body: JSONValue, _ path: JSONPath, _ kind: CountKind) -> CountDistribution? {
        guard
            let members = members(
                body, path, expected: "an object like {\"median\": 6, \"p99\": 200}", keys: ScenarioKeys.lognormal)
        else { return nil }
        let limit = Double(kind.range.upperBound)
        let bounds = "a number between 1 and \(kind.range.upperBound)"
        let median = required(members, "median", expected: bounds).flatMap {
            number($0, members.path("median"), expected: bounds) { (1...limit).contains($0) }
        }
        let p99 = required(members, "p99", expected: bounds).flatMap {
            number($0, members.path("p99"), expected: bounds) { (1...limit).contains($0) }
        }
        guard let median, let p99 else { return nil }
        guard median <= p99 else {
            report(
                path,
                "expected median <= p99, found median \(JSONValue.numberText(median)) and p99 \(JSONValue.numberText(p99))"
            )
            return nil
        }
        return .lognormal(median: median, p99: p99)
    }
}

extension CountDistribution {
    /// The mean and the mean square of a draw capped at `cap`: a zipf or log-normal draw above it is drawn
    /// again (the distribution is truncated), a constant or uniform one is cut to it, as the population
    /// does.
    public func moments(cap: Int) -> (mean: Double, meanSquare: Double) {
        func weighted(_ values: some Sequence<(value: Double, weight: Double)>) -> (mean: Double, meanSquare: Double) {
            var total = 0.0
            var sum = 0.0
            var squares = 0.0
            for (value, weight) in values {
                total += weight
                sum += value * weight
                squares += value * value * weight
            }
            return total > 0 ? (sum / total, squares / total) : (0, 0)
        }
        switch self {
        case .constant(let value):
            let capped = Double(min(value, cap))
            return (capped, capped * capped)
        case .uniform(let low, let high):
            return weighted((low...high).lazy.map { (Double(min($0, cap)), 1) })
        case .zipf(let exponent, let low, let high):
            return weighted((low...max(low, min(high, cap))).lazy.map { (Double($0), pow(Double($0), -exponent)) })
        case .lognormal(let median, let p99):
            // The normal score on a fine grid over ±8 standard deviations, rounded as draws are.
            let steps = 4_000
            return weighted(
                (0...steps).lazy.compactMap { step -> (value: Double, weight: Double)? in
                    let z = -8 + 16 * Double(step) / Double(steps)
                    let value = max(1, Self.lognormalValue(median: median, p99: p99, z: z).rounded())
                    return value <= Double(cap) ? (value, exp(-z * z / 2)) : nil
                })
        }
    }

    /// The log-normal's value at standard-normal score `z`.
    public static func lognormalValue(median: Double, p99: Double, z: Double) -> Double {
        let sigma = (log(p99) - log(median)) / 2.326_347_874_040_840_8
        return median * exp(sigma * z)
    }
}
