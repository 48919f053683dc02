import PresenceCore

/// The scenario format, section by section: reads a parsed document into a resolved ``Scenario``,
/// reporting every problem through the diagnostics.
extension Validator {
    /// The most points a report's time series may have.
    static let maximumTimelinePoints: Int64 = 10_000

    /// Validates a whole document. `sweepRoot` is the document sweeps apply their values to; nil skips
    /// the `sweep` block (used while validating one sweep value, so sweeps do not nest).
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
        let faults = members["faults"].map { self.faults($0, members.path("faults"), duration: duration) } ?? []
        let thresholds = members["thresholds"].map { self.thresholds($0, members.path("thresholds")) } ?? []
        let timeline = members["timeline"].map { interval($0, members.path("timeline")) } ?? .minutes(1)

        if let duration, let warmup, warmup >= duration {
            report(
                members.path("warmup"),
                "expected a warmup shorter than the duration (\"\(duration)\"), found \"\(warmup)\"",
                hint: "the warmup is part of the duration; measurements start when it ends")
        }
        if let duration, let timeline { checkTimeline(timeline, duration: duration, given: members["timeline"] != nil) }
        if let clients, let rooms, let duration, let presence {
            checkResources(
                clients: clients, rooms: rooms, duration: duration,
                recurring: ResourceEstimate.recurring(presence: presence, behavior: behavior, network: network),
                physicalMemory: physicalMemory)
        }

        var sweep: Sweep? = nil
        if validatesSweep, let value = members["sweep"] {
            sweep = self.sweep(value, members.path("sweep"), root: root, physicalMemory: physicalMemory)
        }

        guard diagnostics.errors.isEmpty, let name, let duration, let warmup, let clients, let rooms, let presence,
            let behavior, let network, let faults, let thresholds, let timeline, let seed
        else { return nil }
        return Scenario(
            name: name, description: description, seed: seed, duration: duration, warmup: warmup,
            clients: Int(min(clients, JSONValue.exactIntegerLimit)), rooms: rooms, presence: presence,
            behavior: behavior, network: network,
            faults: faults, thresholds: thresholds, timeline: timeline, sweep: sweep)
    }

    // MARK: - Top level

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

    private func rooms(_ value: JSONValue, _ path: JSONPath) -> Rooms? {
        let expected = "an object like {\"size\": {\"uniform\": [2, 8]}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.rooms) else { return nil }
        return required(members, "size", expected: "a room size like 5 or {\"uniform\": [2, 8]}").flatMap {
            countDistribution($0, members.path("size")).map(Rooms.init(size:))
        }
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

    private func checkResources(
        clients: Double, rooms: Rooms, duration: Interval, recurring: [ResourceEstimate.Recurring],
        physicalMemory: UInt64
    ) {
        let largestRoom = rooms.size.largest
        let memory = ResourceEstimate.memory(clients: clients, largestRoom: largestRoom, duration: duration)
        let usable = Double(physicalMemory) * ResourceEstimate.usableMemoryShare
        let clientsText = ResourceEstimate.countText(clients)
        let perSecond = ResourceEstimate.bytesPerSimulatedSecond
        if memory > usable {
            let durationMemory = duration.seconds * perSecond
            let machine =
                "this machine has \(ResourceEstimate.bytesText(Double(physicalMemory))) and a run may use "
                + "\(JSONValue.numberText(ResourceEstimate.usableMemoryShare * 100))% of it"
            if durationMemory > memory / 2 {
                let longest = ResourceEstimate.timeText(seconds: max(0, usable - (memory - durationMemory)) / perSecond)
                report(
                    .root.appending("duration"),
                    "a run of \(ResourceEstimate.timeText(seconds: duration.seconds)) with \(clientsText) clients "
                        + "needs about \(ResourceEstimate.bytesText(memory)) of memory "
                        + "(\(JSONValue.numberText(perSecond)) B per simulated second, for the deliveries per "
                        + "second); \(machine)",
                    hint: "at most about \(longest) fit on this machine")
                return
            }
            let fits = ResourceEstimate.largestClientCount(
                largestRoom: largestRoom, physicalMemory: physicalMemory, duration: duration)
            report(
                .root.appending("clients"),
                "\(clientsText) clients need about \(ResourceEstimate.bytesText(memory)) of memory "
                    + "(\(JSONValue.numberText(ResourceEstimate.bytesPerClient)) B per client plus "
                    + "\(JSONValue.numberText(ResourceEstimate.bytesPerRoomPair)) B per client for each member of "
                    + "the largest room, \(largestRoom)); \(machine)",
                hint: "at most \(ResourceEstimate.groupedInteger(fits)) clients fit on this machine")
            return
        }
        let events = ResourceEstimate.events(clients: clients, duration: duration, recurring: recurring)
        if events > ResourceEstimate.maximumEvents {
            let time = ResourceEstimate.timeText(seconds: events / ResourceEstimate.eventsPerSecond)
            // Name the action that causes the most events.
            let busiest = recurring.max {
                ($0.perClient ? clients : 1) * $0.rate < ($1.perClient ? clients : 1) * $1.rate
            }
            let cause = busiest.map { " with \($0.key) every \"\($0.period)\"" } ?? ""
            report(
                .root.appending("clients"),
                "\(clientsText) clients over \"\(duration)\"\(cause) come to about "
                    + "\(ResourceEstimate.countText(events)) events, roughly \(time) at "
                    + "\(ResourceEstimate.countText(ResourceEstimate.eventsPerSecond)) events/s; the limit is "
                    + ResourceEstimate.countText(ResourceEstimate.maximumEvents),
                hint: "use fewer clients, a shorter duration or a longer "
                    + (busiest.map { $0.key == "protocol.heartbeat" ? "heartbeat" : "period for \($0.key)" }
                        ?? "heartbeat"))
        }
    }

    // MARK: - Protocol

    private func presence(_ value: JSONValue, _ path: JSONPath) -> PresenceProtocol? {
        let expected = "an object like {\"design\": \"socketio-redis\"}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.presence) else { return nil }
        let designNames = Design.allCases.map(\.rawValue)
        var design: Design? = nil
        if let value = required(members, "design", expected: "one of " + Suggestions.quotedList(designNames)) {
            design = self.design(value, members.path("design"))
        }
        var result = PresenceProtocol.defaults(for: design ?? .socketioRedis)
        var heartbeatValid = true
        var ttlValid = true

        if let value = members["heartbeat"] {
            if let heartbeat = interval(value, members.path("heartbeat")) {
                result.heartbeat = heartbeat
            } else {
                heartbeatValid = false
            }
        }
        if let value = members["ttl"] {
            let ttlPath = members.path("ttl")
            switch duration(value, ttlPath, multipleOf: "heartbeat") {
            case .interval(let ttl): result.ttl = ttl
            case .multiple(let factor) where heartbeatValid:
                if let ttl = multiply(result.heartbeat, by: factor, ttlPath, what: "heartbeat") {
                    result.ttl = ttl
                } else {
                    ttlValid = false
                }
            default: ttlValid = false
            }
        }
        if let value = members["expiry"] {
            switch duration(value, members.path("expiry"), keywords: ["exact", "off"]) {
            case .interval(let interval): result.expiry = .sweep(interval)
            case .keyword("exact"): result.expiry = .exact
            case .keyword: result.expiry = .off
            default: break
            }
        }
        if let value = members["delivery"] {
            switch duration(value, members.path("delivery"), keywords: ["push"]) {
            case .interval(let interval): result.delivery = .poll(interval)
            case .keyword: result.delivery = .push
            default: break
            }
        }
        optional(members, "userPoll", none: "off") { result.userPoll = $0 }
        if let value = members["userPollBatch"],
            let batch = integer(value, members.path("userPollBatch"), range: 1...100_000, expected: "a whole number")
        {
            result.userPollBatch = batch
        }
        optional(members, "typingPoll", none: "off") { result.typingPoll = $0 }
        optional(members, "pingInterval", none: "off") { result.pingInterval = $0 }
        durationKnob(members, "pingTimeout", zero: .allowed) { result.pingTimeout = $0 }
        flag(members, "leaveOnDisconnect") { result.leaveOnDisconnect = $0 }
        optional(members, "away", none: "never") { result.away = $0 }
        flag(members, "awayOnHidden") { result.awayOnHidden = $0 }
        flag(members, "offlineOnLeave") { result.offlineOnLeave = $0 }

        let roomSetPath = members.path("roomSetTTL")
        if let value = members["roomSetTTL"] {
            switch duration(value, roomSetPath, keywords: ["off"], multipleOf: "ttl") {
            case .interval(let interval): result.roomSetTTL = interval
            case .keyword: result.roomSetTTL = nil
            case .multiple(let factor) where heartbeatValid && ttlValid:
                result.roomSetTTL = multiply(result.ttl, by: factor, roomSetPath, what: "ttl")
            default: break
            }
        } else if design == .httpPolling, heartbeatValid, ttlValid {
            // Seed B refreshes the room set with an expiry of 10 x the (resolved) TTL.
            result.roomSetTTL = multiply(result.ttl, by: "10", roomSetPath, what: "ttl (the default \"10x\")")
        }
        durationKnob(members, "typingStop") { result.typingStop = $0 }
        durationKnob(members, "typingThrottle", zero: .allowed) { result.typingThrottle = $0 }
        optional(members, "typingTTL", none: "never") { result.typingTTL = $0 }
        durationKnob(members, "leaveGrace", zero: .allowed) { result.leaveGrace = $0 }
        durationKnob(members, "batch", zero: .allowed) { result.batch = $0 }
        if let value = members["reconnect"] {
            result.reconnect =
                reconnect(value, members.path("reconnect"), defaults: result.reconnect) ?? result.reconnect
        }
        if let value = members["payloadBytes"],
            let bytes = integer(
                value, members.path("payloadBytes"), range: 0...65_536, expected: "a whole number of bytes")
        {
            result.payloadBytes = bytes
        }
        return design == nil ? nil : result
    }

    private func design(_ value: JSONValue, _ path: JSONPath) -> Design? {
        let names = Design.allCases.map(\.rawValue)
        if case .string(let text) = value, let design = Design(rawValue: text) { return design }
        var hint: String? = nil
        if case .string(let text) = value, let near = Suggestions.closest(to: text, among: names) {
            hint = "did you mean \"\(near)\"?"
        }
        mismatch(path, expected: "one of " + Suggestions.quotedList(names), found: value, hint: hint)
        return nil
    }

    private func reconnect(_ value: JSONValue, _ path: JSONPath, defaults: Reconnect) -> Reconnect? {
        let expected = "an object like {\"initial\": \"1s\", \"max\": \"5s\", \"multiplier\": 2, \"jitter\": 0.5}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.reconnect) else { return nil }
        var result = defaults
        var valid = true
        durationKnob(members, "initial", zero: .allowed) {
            result.initial = $0
        } invalid: {
            valid = false
        }
        durationKnob(members, "max", zero: .allowed) {
            result.max = $0
        } invalid: {
            valid = false
        }
        if let value = members["multiplier"] {
            let multiplier = number(
                value, members.path("multiplier"), expected: "a multiplier of at least 1 (at most 1000)"
            ) {
                (1...1000).contains($0)
            }
            if let multiplier { result.multiplier = multiplier }
        }
        if let value = members["jitter"], let jitter = share(value, members.path("jitter")) { result.jitter = jitter }
        if valid, result.max < result.initial {
            report(
                members.path(members["max"] != nil ? "max" : "initial"),
                "expected max >= initial, found initial \"\(result.initial)\" and max \"\(result.max)\"")
            return nil
        }
        return result
    }

    // MARK: - Small helpers for optional knobs

    private func optional(_ members: Members, _ key: String, none keyword: String, _ apply: (Interval?) -> Void) {
        guard let value = members[key], let reading = optionalInterval(value, members.path(key), none: keyword) else {
            return
        }
        apply(reading)
    }

    private func durationKnob(
        _ members: Members, _ key: String, zero: ZeroRule = .rejected, _ apply: (Interval) -> Void,
        invalid: () -> Void = {}
    ) {
        guard let value = members[key] else { return }
        if let interval = interval(value, members.path(key), zero: zero) { apply(interval) } else { invalid() }
    }

    private func flag(_ members: Members, _ key: String, _ apply: (Bool) -> Void) {
        if let value = members[key], let flag = bool(value, members.path(key)) { apply(flag) }
    }

    private func shareKnob(_ members: Members, _ key: String, _ apply: (Double) -> Void) {
        if let value = members[key], let share = share(value, members.path(key)) { apply(share) }
    }

    // MARK: - Behaviour and network

    /// Sections below return a value even when part of it is invalid: every reader that gives up has
    /// reported an error, and ``scenario(_:physicalMemory:validatesSweep:)`` returns nil when there is one.
    private func behavior(_ value: JSONValue, _ path: JSONPath) -> Behavior? {
        let expected = "an object like {\"online\": {\"exponential\": \"1h\"}, \"offline\": {\"exponential\": \"2h\"}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.behavior) else { return nil }
        var result = Behavior()
        if let value = members["online"], let online = distribution(value, members.path("online")) {
            result.online = online
        }
        if let value = members["offline"] {
            result.offline = distribution(value, members.path("offline")) ?? .never
        } else if members["online"] != nil, result.online != .never, !members.suggested.contains("offline") {
            report(
                members.path("offline"),
                "required key is missing when 'online' is given; expected how long clients stay away, "
                    + "like {\"exponential\": \"2h\"}",
                hint: "write \"never\" if clients that leave never come back")
        }
        shareKnob(members, "graceful") { result.graceful = $0 }
        shareKnob(members, "vanish") { result.vanish = $0 }
        result.hidden = members["hidden"].flatMap { episodes($0, members.path("hidden")) }
        result.idle = members["idle"].flatMap { episodes($0, members.path("idle")) }
        result.mobile = members["mobile"].flatMap { mobile($0, members.path("mobile")) }
        result.typing = members["typing"].flatMap { typing($0, members.path("typing")) }
        return result
    }

    private func episodes(_ value: JSONValue, _ path: JSONPath) -> Episodes? {
        let expected = "an object like {\"every\": {\"exponential\": \"15m\"}, \"for\": {\"constant\": \"1m\"}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.episodes) else { return nil }
        let every = required(members, "every", expected: "a distribution of the time between episodes").flatMap {
            distribution($0, members.path("every"))
        }
        let duration = required(members, "for", expected: "a distribution of how long an episode lasts").flatMap {
            distribution($0, members.path("for"))
        }
        guard let every, let duration else { return nil }
        return Episodes(every: every, duration: duration)
    }

    private func mobile(_ value: JSONValue, _ path: JSONPath) -> Mobile? {
        guard let members = members(value, path, expected: "an object like {\"share\": 0.5}", keys: ScenarioKeys.mobile)
        else { return nil }
        let share = required(members, "share", expected: "the share of clients on a phone, like 0.5").flatMap {
            self.share($0, members.path("share"))
        }
        var result = Mobile(share: share ?? 0)
        var valid = share != nil
        func shareKnob(_ key: String, _ apply: (Double) -> Void) {
            guard let value = members[key] else { return }
            if let share = self.share(value, members.path(key)) { apply(share) } else { valid = false }
        }
        shareKnob("ios") { result.ios = $0 }
        shareKnob("backgroundTask") { result.backgroundTask = $0 }
        shareKnob("killWhileSuspended") { result.killWhileSuspended = $0 }
        durationKnob(members, "suspendAfter", zero: .allowed) {
            result.suspendAfter = $0
        } invalid: {
            valid = false
        }
        durationKnob(members, "dozeAfter", zero: .allowed) {
            result.dozeAfter = $0
        } invalid: {
            valid = false
        }
        durationKnob(members, "dozeWindow") {
            result.dozeWindow = $0
        } invalid: {
            valid = false
        }
        return valid ? result : nil
    }

    private func typing(_ value: JSONValue, _ path: JSONPath) -> Typing? {
        let expected =
            "an object like {\"burstsPerHour\": 6, \"burst\": {\"uniform\": [\"2s\", \"30s\"]}, \"keystroke\": \"250ms\"}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.typing) else { return nil }
        let rate = required(members, "burstsPerHour", expected: "a number of bursts per hour like 6").flatMap {
            number($0, members.path("burstsPerHour"), expected: "a number of bursts per hour between 0 and 3600") {
                (0...3600).contains($0)
            }
        }
        let burst = required(members, "burst", expected: "a distribution like {\"uniform\": [\"2s\", \"30s\"]}").flatMap
        { distribution($0, members.path("burst"), never: false) }
        let keystroke = required(members, "keystroke", expected: "a duration like \"250ms\"").flatMap {
            interval($0, members.path("keystroke"))
        }
        guard let rate, let burst, let keystroke else { return nil }
        return Typing(burstsPerHour: rate, burst: burst, keystroke: keystroke)
    }

    private func network(_ value: JSONValue, _ path: JSONPath) -> Network? {
        let expected = "an object like {\"latency\": {\"constant\": \"50ms\"}, \"loss\": 0.01}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.network) else { return nil }
        var result = Network()
        if let value = members["latency"],
            let latency = distribution(value, members.path("latency"), zero: .allowed, never: false)
        {
            result.latency = latency
        }
        if let value = members["loss"],
            let loss = number(
                value, members.path("loss"), expected: "a loss probability of at least 0 and below 1",
                accepts: {
                    $0 >= 0 && $0 < 1
                })
        {
            result.loss = loss
        }
        result.outages = members["outages"].flatMap { episodes($0, members.path("outages")) }
        return result
    }

    // MARK: - Faults

    private func faults(_ value: JSONValue, _ path: JSONPath, duration: Interval?) -> [Fault]? {
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
        let applicable: [String] =
            switch kind {
            case "partition": ["share", "for"]
            case "latency-spike": ["factor", "for"]
            default: []
            }
        for key in ["share", "for", "factor"] where members[key] != nil && !applicable.contains(key) {
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
        switch kind {
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

    // MARK: - Thresholds

    private func thresholds(_ value: JSONValue, _ path: JSONPath) -> [Threshold]? {
        guard case .object(let pairs) = value else {
            mismatch(path, expected: "an object like {\"staleness.offlineDetection.p99\": \"< 90s\"}", found: value)
            return nil
        }
        var thresholds: [Threshold] = []
        var valid = true
        for (metric, condition) in pairs {
            if let threshold = threshold(metric, condition, path.appending(metric)) {
                thresholds.append(threshold)
            } else {
                valid = false
            }
        }
        return valid ? thresholds : nil
    }

    private func threshold(_ metricPath: String, _ value: JSONValue, _ path: JSONPath) -> Threshold? {
        guard let metric = MetricCatalog.metric(at: metricPath) else {
            let paths = MetricCatalog.all.map(\.path)
            var message = "unknown metric '\(metricPath)'"
            if let near = Suggestions.closest(to: metricPath, among: paths)
                ?? paths.first(where: { $0.hasSuffix("." + metricPath) })
            {
                message += "; did you mean '\(near)'?"
            }
            report(path, message, hint: "`presence-sim metrics` lists every metric path")
            return nil
        }
        let expected = "a condition like \"< 90s\" (one of <, <=, >, >= and a value)"
        guard case .string(let text) = value else {
            var hint: String? = nil
            if let number = value.doubleValue { hint = "write \"< \(JSONValue.numberText(number))\"" }
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        }
        let trimmed = text.trimmingSpaces
        guard
            let comparison = [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater].first(where: {
                trimmed.hasPrefix($0.rawValue)
            })
        else {
            mismatch(path, expected: expected, found: value, hint: "start with one of <, <=, >, >=")
            return nil
        }
        let operand = String(trimmed.dropFirst(comparison.rawValue.count)).trimmingSpaces
        guard let limit = thresholdValue(operand, metric: metric, text: text, path) else { return nil }
        return Threshold(metric: metricPath, comparison: comparison, value: limit, text: text)
    }

    /// The limit of a threshold in the metric's base unit.
    private func thresholdValue(_ operand: String, metric: MetricCatalog.Metric, text: String, _ path: JSONPath)
        -> Double?
    {
        let plain: Double? = {
            guard case .number(let number)? = try? JSONValue.parse(operand) else { return nil }
            return number
        }()
        let found = Self.quoted(text)
        if let plain, plain < 0 {
            report(path, "expected a limit of at least 0 (metrics are never negative), found \(found)")
            return nil
        }
        switch metric.unit {
        case .seconds:
            if let plain { return plain }
            if case .success(let interval) = DurationSyntax.parse(operand) { return interval.seconds }
            report(
                path,
                "'\(metric.path)' is measured in seconds; expected a duration like \"< 90s\" or a plain number of "
                    + "seconds, found \(found)")
        case .ratio:
            if let plain, plain <= 1 { return plain }
            if operand.hasSuffix("%"), case .number(let percent)? = try? JSONValue.parse(String(operand.dropLast())),
                (0...100).contains(percent)
            {
                return percent / 100
            }
            let hint = plain.map { "write \"\(JSONValue.numberText($0))%\" for a percentage" }
            report(
                path,
                "'\(metric.path)' is a ratio; expected a share of 1 like \"> 0.995\" or a percentage like "
                    + "\"> 99.5%\", found \(found)", hint: hint)
        default:
            if let plain { return plain }
            report(
                path,
                "'\(metric.path)' is measured in \(metric.unit.rawValue); expected a plain number like \"< 800\", "
                    + "found \(found)")
        }
        return nil
    }

    // MARK: - Sweep

    private func sweep(_ value: JSONValue, _ path: JSONPath, root: JSONValue, physicalMemory: UInt64) -> Sweep? {
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
        var parameters: [(parameter: Sweep.Parameter, path: JSONPath, keyPath: JSONPath)] = []
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
            parameters.append((Sweep.Parameter(path: key, values: values), target, keyPath))
        }
        guard parameters.count == pairs.count, let zip else { return nil }

        let counts = parameters.map { $0.parameter.values.count }
        if zip, Set(counts).count > 1 {
            report(
                setPath,
                "with \"zip\": true every list must have the same length, found lengths "
                    + counts.map(String.init).joined(separator: ", "))
            return nil
        }
        let runs = zip ? counts[0] : counts.reduce(1) { min($0 * $1, Int(Int32.max)) }
        if runs > ResourceEstimate.maximumSweepRuns {
            report(
                setPath, "the sweep expands to \(runs) runs; expected at most \(ResourceEstimate.maximumSweepRuns)",
                hint: zip ? nil : "\"zip\": true pairs the lists instead of taking every combination")
            return nil
        }

        // Every value must make a valid scenario on its own: apply it and validate the result.
        var valid = true
        for entry in parameters {
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
        return valid ? Sweep(parameters: parameters.map(\.parameter), zip: zip) : nil
    }
}

extension CountDistribution {
    /// The largest value a draw can take.
    var largest: Int {
        switch self {
        case .constant(let value): value
        case .uniform(_, let high): high
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
