import PresenceCore

/// The scenario format, section by section: reads a parsed document into a resolved ``Scenario``,
/// reporting every problem through the diagnostics.
///
/// This file reads the top level and checks what spans sections (the warmup against the duration, the
/// timeline's point count, the capacity); each section has a reader of its own in this folder.
extension Validator {
    /// The most points a report's time series may have.
    static let maximumTimelinePoints: Int64 = 10_000

    /// Validates a whole document. `validatesSweep` false skips the `sweep` block (used while validating
    /// one sweep value, so sweeps do not nest); otherwise sweep values are applied to `root`.
    func scenario(_ root: JSONValue, physicalMemory: UInt64, validatesSweep: Bool) -> Scenario? {
        let example = "an object with the scenario keys, like {\"name\": \"family-chat\", \"duration\": \"1h\", ...}"
        guard let members = members(root, .root, expected: example, keys: ScenarioKeys.root) else { return nil }

        let name = required(members, "name", expected: "a name like \"family-chat\"").flatMap {
            self.name($0, members.path("name"))
        }
        let description = members["description"].flatMap { string($0, members.path("description")) }
        // "$schema" lets editors find Schema/scenario.schema.json; the reader only checks it is a string.
        _ = members["$schema"].flatMap { string($0, members.path("$schema")) }
        let seed = members["seed"].map { self.seed($0, members.path("seed")) } ?? 1
        let duration = required(members, "duration", expected: "a duration like \"1h\"").flatMap {
            interval($0, members.path("duration"))
        }
        let warmup = members["warmup"].map { interval($0, members.path("warmup"), zero: .allowed) } ?? .zero
        let clients = required(members, "clients", expected: "a whole number of clients like 10000").flatMap {
            self.clients($0, members.path("clients"))
        }
        let rooms = required(
            members, "rooms", expected: "an object like {\"size\": {\"uniform\": [2, 8]}}"
        ).flatMap { self.rooms($0, members.path("rooms")) }
        let presence = required(
            members, "protocol", expected: "an object like {\"design\": \"socketio-redis\"}",
            hint: "the designs are " + Suggestions.quotedList(Design.allCases.map(\.rawValue))
        ).flatMap { self.presence($0, members.path("protocol")) }
        let behavior = members["behavior"].map { self.behavior($0, members.path("behavior")) } ?? Behavior()
        let network = members["network"].map { self.network($0, members.path("network")) } ?? Network()
        let cohorts =
            members["cohorts"].map {
                self.cohorts(
                    $0, members.path("cohorts"), behavior: members["behavior"], network: members["network"])
            } ?? []
        let faults = members["faults"].map { self.faults($0, members.path("faults"), duration: duration) } ?? []
        let cohortNames = cohorts?.map(\.name)
        let thresholds =
            members["thresholds"].map { self.thresholds($0, members.path("thresholds"), cohorts: cohortNames) } ?? []
        let timeline = members["timeline"].map { interval($0, members.path("timeline")) } ?? .minutes(1)
        let replications =
            members["replications"].map {
                integer(
                    $0, members.path("replications"), range: 1...Scenario.maximumReplications,
                    expected: "a whole number of replications")
            } ?? 1

        checkWarmup(warmup, duration: duration)
        if let duration, let timeline { checkTimeline(timeline, duration: duration, given: members["timeline"] != nil) }
        checkCapacity(
            clients: clients, rooms: rooms, duration: duration, presence: presence, behavior: behavior,
            network: network, cohorts: cohorts, physicalMemory: physicalMemory)
        var sweep: Sweep? = nil
        if validatesSweep, let value = members["sweep"] {
            sweep = self.sweep(value, members.path("sweep"), root: root, physicalMemory: physicalMemory)
        }

        guard diagnostics.errors.isEmpty, let name, let duration, let warmup, let clients, let rooms, let presence,
            let behavior, let network, let cohorts, let faults, let thresholds, let timeline, let seed, let replications
        else { return nil }
        return Scenario(
            name: name, description: description, seed: seed, duration: duration, warmup: warmup,
            clients: Int(min(clients, JSONValue.exactIntegerLimit)), rooms: rooms, presence: presence,
            behavior: behavior, network: network, cohorts: cohorts,
            faults: faults, thresholds: thresholds, timeline: timeline, sweep: sweep, replications: replications)
    }

    private func name(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard let name = string(value, path, expected: "a name like \"family-chat\"") else { return nil }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCIIIdentifierCharacter || $0 == "." || $0 == "-" }
        if name.isEmpty {
            report(path, "expected a name of 1 to 100 letters, digits, '.', '_' or '-', found an empty string")
        } else if name.count > 100 {
            report(path, "expected a name of at most 100 characters, found \(name.count) characters")
        } else if !allowed {
            let suggestion = String(
                name.unicodeScalars.map {
                    $0.isASCIIIdentifierCharacter || $0 == "." || $0 == "-" ? Character($0) : "-"
                })
            report(
                path, "expected a name of letters, digits, '.', '_' or '-', found \(Self.quoted(name))",
                hint: "the name becomes the output folder's name; try \(Self.quoted(suggestion))")
        } else if name == "." || name == ".." {
            report(path, "expected a name that can be a folder name, found \(Self.quoted(name))")
        } else {
            return name
        }
        return nil
    }

    private func seed(_ value: JSONValue, _ path: JSONPath) -> UInt64? {
        if let seed = value.uint64Value { return seed }
        var hint: String? = nil
        if case .string(let text) = value, UInt64(text) != nil { hint = "write it without quotes: \(text)" }
        mismatch(path, expected: "a whole number between 0 and 18446744073709551615", found: value, hint: hint)
        return nil
    }

    /// The client count as a Double, so that absurd counts reach the resource check instead of trapping.
    private func clients(_ value: JSONValue, _ path: JSONPath) -> Double? {
        if let count = value.doubleValue, count.isFinite, count >= 1, count == count.rounded() { return count }
        var hint: String? = nil
        if case .string(let text) = value, Int(text) != nil { hint = "write it without quotes: \(text)" }
        mismatch(path, expected: "a whole number of clients of at least 1", found: value, hint: hint)
        return nil
    }

    private func checkWarmup(_ warmup: Interval?, duration: Interval?) {
        guard let duration, let warmup, warmup >= duration else { return }
        report(
            .root.appending("warmup"),
            "expected a warmup shorter than the duration (\"\(duration)\"), found \"\(warmup)\"",
            hint: "the warmup is part of the duration; measurements start when it ends")
    }

    private func checkTimeline(_ timeline: Interval, duration: Interval, given: Bool) {
        let points = (duration.nanoseconds - 1) / timeline.nanoseconds + 1
        guard points > Self.maximumTimelinePoints else { return }
        let smallest = Interval(nanoseconds: (duration.nanoseconds - 1) / Self.maximumTimelinePoints + 1)
        report(
            .root.appending("timeline"),
            (given ? "" : "the default ") + "timeline \"\(timeline)\" gives \(points) points over \"\(duration)\"; "
                + "expected at most \(Self.maximumTimelinePoints)",
            hint: "set \"timeline\" to \"\(smallest)\" or longer")
    }
}
