import PresenceCore

/// The `faults` section: scheduled incidents, each with the keys its kind takes.
extension Validator {
    func faults(_ value: JSONValue, _ path: JSONPath, duration: Interval?) -> [Fault]? {
        guard case .array(let elements) = value else {
            mismatch(
                path, expected: "an array of faults like [{\"at\": \"40m\", \"kind\": \"restart-core\"}]", found: value)
            return nil
        }
        var faults: [Fault] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            if let fault = fault(element, path.appending(index: index), duration: duration) {
                faults.append(fault)
            } else {
                valid = false
            }
        }
        return valid ? faults : nil
    }

    private func fault(_ value: JSONValue, _ path: JSONPath, duration: Interval?) -> Fault? {
        let expected = "a fault like {\"at\": \"40m\", \"kind\": \"restart-core\"}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.fault) else { return nil }
        let at = required(members, "at", expected: "the time of the fault from the start, like \"40m\"").flatMap {
            interval($0, members.path("at"), zero: .allowed)
        }
        if let at, let duration, at >= duration {
            report(
                members.path("at"),
                "expected a time before the end of the run (the duration is \"\(duration)\"), found \"\(at)\"")
        }
        guard let kind = faultKind(members) else { return nil }
        let applicable: [String] =
            switch kind {
            case "partition": ["share", "for"]
            case "latency-spike": ["factor", "for"]
            case "surge": ["share", "within"]
            default: []
            }
        for key in ["share", "for", "factor", "within"] where members[key] != nil && !applicable.contains(key) {
            report(
                members.path(key), "'\(key)' does not apply to a \(kind) fault",
                hint: applicable.isEmpty
                    ? "a \(kind) fault has only 'at' and 'kind'"
                    : "a \(kind) fault takes " + applicable.map { "'\($0)'" }.joined(separator: " and "))
        }
        let forValue: Interval? =
            applicable.contains("for")
            ? required(members, "for", expected: "how long the \(kind) lasts, like \"2m\"").flatMap {
                interval($0, members.path("for"))
            } : .zero
        return fault(ofKind: kind, members, at: at, for: forValue, duration: duration)
    }

    /// The fault's `kind`, one of ``ScenarioKeys/faultKinds``.
    private func faultKind(_ members: Members) -> String? {
        let kinds = ScenarioKeys.faultKinds
        guard let kindValue = required(members, "kind", expected: "one of " + Suggestions.quotedList(kinds)) else {
            return nil
        }
        guard case .string(let kind) = kindValue, kinds.contains(kind) else {
            var hint: String? = nil
            if case .string(let text) = kindValue, let near = Suggestions.closest(to: text, among: kinds) {
                hint = "did you mean \"\(near)\"?"
            }
            mismatch(
                members.path("kind"), expected: "one of " + Suggestions.quotedList(kinds), found: kindValue, hint: hint)
            return nil
        }
        return kind
    }

    /// The fault of `kind`, reading the keys only that kind takes (`share`, `factor`); nil when `at`,
    /// `for` or one of those is missing or invalid.
    private func fault(
        ofKind kind: String, _ members: Members, at: Interval?, for forValue: Interval?, duration: Interval?
    ) -> Fault? {
        switch kind {
        case "surge":
            let share = required(members, "share", expected: "the share of offline clients that come online, like 0.3")
                .flatMap { surgeShare($0, members.path("share")) }
            let within = required(members, "within", expected: "how long the arrivals spread over, like \"1m\"")
                .flatMap { interval($0, members.path("within"), zero: .allowed) }
            guard let at, let share, let within else { return nil }
            if let duration, at < duration, at + within > duration {
                report(
                    members.path("within"),
                    "expected the surge to end by the end of the run (the duration is \"\(duration)\"), found "
                        + "\"\(at)\" + \"\(within)\"",
                    hint: "at most \"\(duration - at)\" fits after \"\(at)\"")
                return nil
            }
            return Fault(at: at, kind: .surge(share: share, within: within))
        case "partition":
            let share = members["share"].map { self.share($0, members.path("share")) } ?? 1
            guard let at, let share, let forValue else { return nil }
            return Fault(at: at, kind: .partition(share: share, duration: forValue))
        case "latency-spike":
            let factor = required(members, "factor", expected: "the latency multiplier, like 10").flatMap {
                number($0, members.path("factor"), expected: "a latency factor of at least 1 (at most 1000000)") {
                    (1...1_000_000).contains($0)
                }
            }
            guard let at, let factor, let forValue else { return nil }
            return Fault(at: at, kind: .latencySpike(factor: factor, duration: forValue))
        case "restart-server":
            guard let at else { return nil }
            return Fault(at: at, kind: .restartServer)
        default:
            guard let at else { return nil }
            return Fault(at: at, kind: .restartCore)
        }
    }

    /// A surge's share: a share greater than 0.
    private func surgeShare(_ value: JSONValue, _ path: JSONPath) -> Double? {
        guard let share = self.share(value, path) else { return nil }
        guard share > 0 else {
            report(path, "expected a share greater than 0, found 0", hint: "a surge of no one does nothing; remove it")
            return nil
        }
        return share
    }
}
