/// The `protocol` section: the design, then every knob over the design's defaults.
///
/// Knobs are read in documentation order, so errors at the same place in the file keep that order.
extension Validator {
    /// Which of `heartbeat` and `ttl` resolved; a multiple of an invalid value is not reported again.
    private struct Resolved {
        var heartbeat = true
        var ttl = true
    }

    func presence(_ value: JSONValue, _ path: JSONPath) -> PresenceProtocol? {
        let expected = "an object like {\"design\": \"socketio-redis\"}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.presence) else { return nil }
        let designNames = Design.allCases.map(\.rawValue)
        var design: Design? = nil
        if let value = required(members, "design", expected: "one of " + Suggestions.quotedList(designNames)) {
            design = self.design(value, members.path("design"))
        }
        var result = PresenceProtocol.defaults(for: design ?? .socketioRedis)
        let resolved = heartbeatAndTTL(members, into: &result)
        detectionAndDelivery(members, into: &result)
        roomSetTTL(members, design: design, resolved: resolved, into: &result)
        typingBatchingAndReconnect(members, into: &result)
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

    /// `heartbeat`, and `ttl` as a duration or a multiple of the heartbeat.
    private func heartbeatAndTTL(_ members: Members, into result: inout PresenceProtocol) -> Resolved {
        var resolved = Resolved()
        if let value = members["heartbeat"] {
            if let heartbeat = interval(value, members.path("heartbeat")) {
                result.heartbeat = heartbeat
            } else {
                resolved.heartbeat = false
            }
        }
        if let value = members["ttl"] {
            let ttlPath = members.path("ttl")
            switch duration(value, ttlPath, multipleOf: "heartbeat") {
            case .interval(let ttl): result.ttl = ttl
            case .multiple(let factor) where resolved.heartbeat:
                if let ttl = multiply(result.heartbeat, by: factor, ttlPath, what: "heartbeat") {
                    result.ttl = ttl
                } else {
                    resolved.ttl = false
                }
            default: resolved.ttl = false
            }
        }
        return resolved
    }

    /// How the server expires entries and delivers changes, how observers poll, the transport's ping, and
    /// the away and offline statuses: `expiry` through `offlineOnLeave`.
    private func detectionAndDelivery(_ members: Members, into result: inout PresenceProtocol) {
        if let value = members["expiry"] {
            if case .object = value {
                if let redis = redisExpiry(value, members.path("expiry")) { result.expiry = .redis(redis) }
            } else {
                switch duration(value, members.path("expiry"), keywords: ["exact", "off", "redis"]) {
                case .interval(let interval): result.expiry = .sweep(interval)
                case .keyword("exact"): result.expiry = .exact
                case .keyword("redis"): result.expiry = .redis(RedisExpiry())
                case .keyword: result.expiry = .off
                default: break
                }
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
    }

    /// `roomSetTTL` as a duration, `"off"` or a multiple of the resolved TTL; design B's default is 10x.
    private func roomSetTTL(
        _ members: Members, design: Design?, resolved: Resolved, into result: inout PresenceProtocol
    ) {
        let roomSetPath = members.path("roomSetTTL")
        if let value = members["roomSetTTL"] {
            switch duration(value, roomSetPath, keywords: ["off"], multipleOf: "ttl") {
            case .interval(let interval): result.roomSetTTL = interval
            case .keyword: result.roomSetTTL = nil
            case .multiple(let factor) where resolved.heartbeat && resolved.ttl:
                result.roomSetTTL = multiply(result.ttl, by: factor, roomSetPath, what: "ttl")
            default: break
            }
        } else if design == .httpPolling, resolved.heartbeat, resolved.ttl {
            // Seed B refreshes the room set with an expiry of 10 x the (resolved) TTL.
            result.roomSetTTL = multiply(result.ttl, by: "10", roomSetPath, what: "ttl (the default \"10x\")")
        }
    }

    /// The typing knobs, the anti-flap grace and batching of changes, the reconnect backoff and the
    /// payload size: `typingStop` through `payloadBytes`.
    private func typingBatchingAndReconnect(_ members: Members, into result: inout PresenceProtocol) {
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
    }

    /// `{"redis": {"hz": 10, "effort": 1}}`: Redis's expiry with its knobs, each optional.
    private func redisExpiry(_ value: JSONValue, _ path: JSONPath) -> RedisExpiry? {
        let expected = "an object like {\"redis\": {\"hz\": 10, \"effort\": 1}}"
        guard let outer = members(value, path, expected: expected, keys: ["redis"]) else { return nil }
        guard let inner = required(outer, "redis", expected: "an object like {\"hz\": 10, \"effort\": 1}") else {
            return nil
        }
        guard
            let knobs = members(
                inner, outer.path("redis"), expected: "an object like {\"hz\": 10, \"effort\": 1}",
                keys: ScenarioKeys.redisExpiry)
        else { return nil }
        var result = RedisExpiry()
        var valid = true
        if let value = knobs["hz"] {
            if let hz = integer(
                value, knobs.path("hz"), range: RedisExpiry.allowedHz, expected: "a whole number of cycles a second")
            {
                result.hz = hz
            } else {
                valid = false
            }
        }
        if let value = knobs["effort"] {
            if let effort = integer(
                value, knobs.path("effort"), range: RedisExpiry.allowedEffort, expected: "a whole number")
            {
                result.effort = effort
            } else {
                valid = false
            }
        }
        return valid ? result : nil
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
}
