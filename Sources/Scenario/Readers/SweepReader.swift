/// The `sweep` section: key paths and the values each takes; every value is checked by applying it to
/// the document and validating the result.
extension Validator {
    /// One swept key: its parameter, the key path it sets, and where its list is in the file.
    private typealias SweptKey = (parameter: Sweep.Parameter, path: JSONPath, keyPath: JSONPath)

    func sweep(_ value: JSONValue, _ path: JSONPath, root: JSONValue, physicalMemory: UInt64) -> Sweep? {
        let expected = "an object like {\"set\": {\"protocol.heartbeat\": [\"10s\", \"20s\"]}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.sweep) else { return nil }
        let baseErrors = Set(diagnostics.errors.map { $0.path + "\u{0}" + $0.message })
        let zip = members["zip"].map { bool($0, members.path("zip")) } ?? false
        let setPath = members.path("set")
        guard let set = required(members, "set", expected: "an object of key paths and value lists") else { return nil }
        guard case .object(let pairs) = set, !pairs.isEmpty else {
            mismatch(
                setPath,
                expected: "an object of key paths and value lists like {\"protocol.heartbeat\": [\"10s\", \"20s\"]}",
                found: set)
            return nil
        }
        let swept = sweptKeys(pairs, setPath)
        guard swept.count == pairs.count, let zip, checkRunCount(swept, zip: zip, setPath) else { return nil }
        let valid = checkValues(swept, root: root, baseErrors: baseErrors, physicalMemory: physicalMemory)
        return valid ? Sweep(parameters: swept.map(\.parameter), zip: zip) : nil
    }

    /// The keys of `set` that are valid key paths outside `sweep` with a non-empty list of values.
    private func sweptKeys(_ pairs: [(key: String, value: JSONValue)], _ setPath: JSONPath) -> [SweptKey] {
        var swept: [SweptKey] = []
        for (key, list) in pairs {
            let keyPath = setPath.appending(key)
            let target: JSONPath
            switch JSONPath.parse(key) {
            case .failure(let failure):
                report(
                    keyPath, "expected a key path like \"protocol.heartbeat\" or \"faults[0].at\": \(failure.message)")
                continue
            case .success(let parsed): target = parsed
            }
            if case .key("sweep") = target.components.first {
                report(keyPath, "a sweep cannot set its own keys")
                continue
            }
            guard case .array(let values) = list, !values.isEmpty else {
                mismatch(keyPath, expected: "a non-empty list of values like [\"10s\", \"20s\"]", found: list)
                continue
            }
            swept.append((Sweep.Parameter(path: key, values: values), target, keyPath))
        }
        return swept
    }

    /// Whether the lists pair up (with `zip`) and the sweep expands to at most
    /// ``ResourceEstimate/maximumSweepRuns`` runs.
    private func checkRunCount(_ swept: [SweptKey], zip: Bool, _ setPath: JSONPath) -> Bool {
        let counts = swept.map { $0.parameter.values.count }
        if zip, Set(counts).count > 1 {
            report(
                setPath,
                "with \"zip\": true every list must have the same length, found lengths "
                    + counts.map(String.init).joined(separator: ", "))
            return false
        }
        let runs = zip ? counts[0] : counts.reduce(1) { min($0 * $1, Int(Int32.max)) }
        if runs > ResourceEstimate.maximumSweepRuns {
            report(
                setPath, "the sweep expands to \(runs) runs; expected at most \(ResourceEstimate.maximumSweepRuns)",
                hint: zip ? nil : "\"zip\": true pairs the lists instead of taking every combination")
            return false
        }
        return true
    }

    /// Every value must make a valid scenario on its own: applies it and validates the result, reporting
    /// at the value the errors the document does not have without it (`baseErrors`).
    private func checkValues(
        _ swept: [SweptKey], root: JSONValue, baseErrors: Set<String>, physicalMemory: UInt64
    ) -> Bool {
        var valid = true
        for entry in swept {
            for (index, candidate) in entry.parameter.values.enumerated() {
                let valuePath = entry.keyPath.appending(index: index)
                var document = root
                if case .failure(let failure) = document.set(candidate, at: entry.path) {
                    report(valuePath, failure.message)
                    valid = false
                    continue
                }
                let inner = Diagnostics(file: diagnostics.file, positions: [:])
                _ = Validator(diagnostics: inner).scenario(
                    document, physicalMemory: physicalMemory, validatesSweep: false)
                for error in inner.errors where !baseErrors.contains(error.path + "\u{0}" + error.message) {
                    let message =
                        error.path == entry.path.description ? error.message : "\(error.path): \(error.message)"
                    report(valuePath, message, hint: error.hint)
                    valid = false
                }
            }
        }
        return valid
    }
}
