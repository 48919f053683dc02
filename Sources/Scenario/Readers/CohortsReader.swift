/// The `cohorts` section: named parts of the population, each with its own behaviour and network.
///
/// A cohort's `behavior` and `network` are merged key by key over the top-level ones in the JSON, and the
/// merged objects are read by the same readers as the top-level ones, so every rule and default applies
/// to them too. An error the merged read shares with the top-level read (a top-level key the cohort
/// inherits) is reported once, at the top level.
extension Validator {
    /// The most cohorts a scenario may have (a client's cohort is kept in a byte).
    static let maximumCohorts = 255
    /// How far the cohorts' shares may sum from 1.
    static let cohortShareTolerance = 1e-9

    func cohorts(_ value: JSONValue, _ path: JSONPath, behavior: JSONValue?, network: JSONValue?) -> [Cohort]? {
        let example = "[{\"name\": \"phones\", \"share\": 0.4, \"behavior\": {\"mobile\": {\"share\": 1}}}, ...]"
        guard case .array(let elements) = value, !elements.isEmpty else {
            mismatch(path, expected: "a non-empty array of cohorts like " + example, found: value)
            return nil
        }
        guard elements.count <= Self.maximumCohorts else {
            report(path, "expected at most \(Self.maximumCohorts) cohorts, found \(elements.count)")
            return nil
        }
        let inherited = Set(
            diagnostics.errors.filter { $0.path.hasPrefix("behavior") || $0.path.hasPrefix("network") }.map {
                $0.path + "\u{0}" + $0.message
            })
        var cohorts: [Cohort] = []
        var valid = true
        var names: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let cohortPath = path.appending(index: index)
            guard let cohort = cohort(element, cohortPath, behavior: behavior, network: network, inherited: inherited)
            else {
                valid = false
                continue
            }
            if let first = names[cohort.name] {
                report(
                    cohortPath.appending("name"),
                    "expected a name no other cohort has, found \(Self.quoted(cohort.name)) (also cohorts[\(first)])")
                valid = false
            } else {
                names[cohort.name] = index
            }
            cohorts.append(cohort)
        }
        guard valid else { return nil }
        let sum = cohorts.reduce(0) { $0 + $1.share }
        guard abs(sum - 1) <= Self.cohortShareTolerance else {
            let shares = cohorts.map { JSONValue.numberText($0.share) }.joined(separator: " + ")
            report(
                path,
                "expected the cohorts' shares to sum to 1, found \(shares) = "
                    + JSONValue.numberText((sum * 1e12).rounded() / 1e12),
                hint: "every client is in exactly one cohort; shares are fractions of all clients")
            return nil
        }
        return cohorts
    }

    private func cohort(
        _ value: JSONValue, _ path: JSONPath, behavior: JSONValue?, network: JSONValue?, inherited: Set<String>
    ) -> Cohort? {
        let expected = "a cohort like {\"name\": \"phones\", \"share\": 0.4, \"behavior\": {...}, \"network\": {...}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.cohort) else { return nil }
        let name = required(members, "name", expected: "a cohort name like \"phones\"").flatMap {
            cohortName($0, members.path("name"))
        }
        let share = required(members, "share", expected: "the cohort's share of the clients, like 0.4").flatMap {
            cohortShare($0, members.path("share"))
        }
        let behaviorValue = merged(members["behavior"], over: behavior, members.path("behavior"), arrivals: true)
        let networkValue = merged(members["network"], over: network, members.path("network"), arrivals: false)
        guard let behaviorValue, let networkValue else { return nil }
        let cohortBehavior = inheriting(inherited, under: path, own: members["behavior"]) {
            $0.behavior(behaviorValue, members.path("behavior"))
        }
        let cohortNetwork = inheriting(inherited, under: path, own: members["network"]) {
            $0.network(networkValue, members.path("network"))
        }
        guard let name, let share, let cohortBehavior, let cohortNetwork else { return nil }
        return Cohort(name: name, share: share, behavior: cohortBehavior, network: cohortNetwork)
    }

    /// The cohort's object merged over the top-level one: a key in the cohort replaces that key. For the
    /// behaviour, `offline` and `profile` are one choice (how clients come back), so a cohort that gives
    /// either replaces both. Nil (reported) when the cohort's value is not an object.
    private func merged(_ own: JSONValue?, over base: JSONValue?, _ path: JSONPath, arrivals: Bool) -> JSONValue? {
        var pairs: [(key: String, value: JSONValue)] = []
        if case .object(let basePairs) = base { pairs = basePairs }
        guard let own else { return .object(pairs) }
        guard case .object(let ownPairs) = own else {
            mismatch(path, expected: "an object of keys that replace the top-level ones", found: own)
            return nil
        }
        let ownKeys = Set(ownPairs.map(\.key))
        var replaced = ownKeys
        if arrivals, !ownKeys.isDisjoint(with: ["offline", "profile"]) { replaced.formUnion(["offline", "profile"]) }
        pairs.removeAll { replaced.contains($0.key) }
        return .object(pairs + ownPairs)
    }

    /// Runs `read` with diagnostics of its own, then reports its errors except those the top-level read
    /// reported already for a key the cohort inherits (`inherited` holds them as path and message).
    private func inheriting<T>(
        _ inherited: Set<String>, under cohortPath: JSONPath, own: JSONValue?, _ read: (Validator) -> T?
    ) -> T? {
        let inner = Diagnostics(file: diagnostics.file, positions: diagnostics.positions)
        inner.overridden = diagnostics.overridden
        let result = read(Validator(diagnostics: inner))
        let prefix = cohortPath.description + "."
        let ownKeys = Set(own?.objectValue?.map(\.key) ?? [])
        for error in inner.errors {
            guard error.path.hasPrefix(prefix) else {
                diagnostics.append(error)
                continue
            }
            let relative = String(error.path.dropFirst(prefix.count))
            let key = relative.split(separator: ".", maxSplits: 2).dropFirst().first.map {
                String($0.prefix { $0 != "[" })
            }
            let fromTop = key.map { !ownKeys.contains($0) } ?? false
            if fromTop, inherited.contains(relative + "\u{0}" + error.message) { continue }
            diagnostics.append(error)
        }
        return inner.errors.isEmpty ? result : nil
    }

    private func cohortName(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard let name = string(value, path, expected: "a cohort name like \"phones\"") else { return nil }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCIIIdentifierCharacter || $0 == "-" }
        guard !name.isEmpty, name.count <= 100, allowed else {
            report(
                path, "expected a cohort name of 1 to 100 letters, digits, '_' or '-', found \(Self.quoted(name))",
                hint: "the name becomes part of report paths like cohorts.phones.cost")
            return nil
        }
        return name
    }

    private func cohortShare(_ value: JSONValue, _ path: JSONPath) -> Double? {
        guard let share = self.share(value, path) else { return nil }
        guard share > 0 else {
            report(path, "expected a share greater than 0, found 0", hint: "a cohort of no clients: remove it")
            return nil
        }
        return share
    }
}
