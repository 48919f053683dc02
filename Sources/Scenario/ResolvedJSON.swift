import PresenceCore

extension Scenario {
    /// The scenario with every default filled in, in the file format: durations as strings (`"20s"`),
    /// keys in the order `Scenarios/FORMAT.md` lists them. Absent optional blocks (hidden, idle, mobile,
    /// typing, outages, sweep) stay absent, since absence means "does not happen", and so does
    /// `replications` when it is 1 (a plain run, whose resolved scenario reads as it did before the key
    /// existed). Loading the serialized result gives a `Scenario` equal to this one.
    public func resolvedJSON() -> JSONValue {
        var root: [(String, JSONValue)] = [("name", .string(name))]
        if let description { root.append(("description", .string(description))) }
        root += [
            ("seed", JSONValue(seed)),
            ("duration", Self.json(duration)),
            ("warmup", Self.json(warmup)),
            ("clients", JSONValue(clients)),
            ("rooms", Self.json(rooms)),
            ("protocol", Self.json(presence)),
            ("behavior", Self.json(behavior)),
            ("network", Self.json(network)),
        ]
        if !cohorts.isEmpty { root.append(("cohorts", .array(cohorts.map(Self.json)))) }
        root += [
            ("faults", .array(faults.map(Self.json))),
            ("thresholds", JSONValue(object: thresholds.map { ($0.metric, .string($0.text)) })),
            ("timeline", Self.json(timeline)),
        ]
        if let sweep {
            root.append(
                (
                    "sweep",
                    JSONValue(object: [
                        ("set", JSONValue(object: sweep.parameters.map { ($0.path, .array($0.values)) })),
                        ("zip", .bool(sweep.zip)),
                    ])
                ))
        }
        if replications != 1 { root.append(("replications", JSONValue(replications))) }
        return JSONValue(object: root)
    }

    static func json(_ interval: Interval) -> JSONValue { .string(interval.description) }

    static func json(_ interval: Interval?, none: String) -> JSONValue {
        interval.map(json) ?? .string(none)
    }

    static func json(_ distribution: Distribution) -> JSONValue {
        switch distribution {
        case .never: "never"
        case .constant(let value): ["constant": json(value)]
        case .uniform(let low, let high): ["uniform": [json(low), json(high)]]
        case .exponential(let mean): ["exponential": json(mean)]
        case .lognormal(let median, let p99): ["lognormal": ["median": json(median), "p99": json(p99)]]
        }
    }

    /// `perClient` is left out when it is 1, so a one-room-per-client scenario reads as it did before the key.
    static func json(_ rooms: Rooms) -> JSONValue {
        var members = [("size", json(rooms.size))]
        if rooms.perClient != .constant(1) { members.append(("perClient", json(rooms.perClient))) }
        if let threads = rooms.threads {
            members.append(
                ("threads", JSONValue(object: [("size", json(threads.size)), ("perClient", json(threads.perClient))])))
        }
        return JSONValue(object: members)
    }

    static func json(_ size: CountDistribution) -> JSONValue {
        switch size {
        case .constant(let value): JSONValue(value)
        case .uniform(let low, let high): ["uniform": [JSONValue(low), JSONValue(high)]]
        case .zipf(let exponent, let low, let high):
            [
                "zipf": JSONValue(object: [
                    ("exponent", JSONValue(exponent)), ("min", JSONValue(low)), ("max", JSONValue(high)),
                ])
            ]
        case .lognormal(let median, let p99): ["lognormal": ["median": JSONValue(median), "p99": JSONValue(p99)]]
        }
    }

    static func json(_ presence: PresenceProtocol) -> JSONValue {
        let expiry: JSONValue =
            switch presence.expiry {
            case .exact: "exact"
            case .off: "off"
            case .sweep(let interval): json(interval)
            case .redis(let redis):
                redis == RedisExpiry()
                    ? "redis"
                    : ["redis": ["hz": JSONValue(redis.hz), "effort": JSONValue(redis.effort)]]
            }
        let delivery: JSONValue =
            switch presence.delivery {
            case .push: "push"
            case .poll(let interval): json(interval)
            }
        let reconnect = presence.reconnect
        return JSONValue(object: [
            ("design", .string(presence.design.rawValue)),
            ("heartbeat", json(presence.heartbeat)),
            ("ttl", json(presence.ttl)),
            ("expiry", expiry),
            ("delivery", delivery),
            ("userPoll", json(presence.userPoll, none: "off")),
            ("userPollBatch", JSONValue(presence.userPollBatch)),
            ("typingPoll", json(presence.typingPoll, none: "off")),
            ("pingInterval", json(presence.pingInterval, none: "off")),
            ("pingTimeout", json(presence.pingTimeout)),
            ("leaveOnDisconnect", .bool(presence.leaveOnDisconnect)),
            ("away", json(presence.away, none: "never")),
            ("awayOnHidden", .bool(presence.awayOnHidden)),
            ("offlineOnLeave", .bool(presence.offlineOnLeave)),
            ("roomSetTTL", json(presence.roomSetTTL, none: "off")),
            ("typingStop", json(presence.typingStop)),
            ("typingThrottle", json(presence.typingThrottle)),
            ("typingTTL", json(presence.typingTTL, none: "never")),
            ("leaveGrace", json(presence.leaveGrace)),
            ("batch", json(presence.batch)),
            (
                "reconnect",
                JSONValue(object: [
                    ("initial", json(reconnect.initial)), ("max", json(reconnect.max)),
                    ("multiplier", .number(reconnect.multiplier)), ("jitter", .number(reconnect.jitter)),
                ])
            ),
            ("payloadBytes", JSONValue(presence.payloadBytes)),
        ])
    }

    static func json(_ episodes: Episodes) -> JSONValue {
        ["every": json(episodes.every), "for": json(episodes.duration)]
    }

    static func json(_ behavior: Behavior) -> JSONValue {
        var members: [(String, JSONValue)] = [("online", json(behavior.online))]
        if let profile = behavior.profile {
            var profileMembers: [(String, JSONValue)] = [
                ("points", .array(profile.points.map { [json($0.at), .number($0.share)] }))
            ]
            if let period = profile.period { profileMembers.append(("repeat", json(period))) }
            members.append(("profile", JSONValue(object: profileMembers)))
        } else {
            members.append(("offline", json(behavior.offline)))
        }
        members += [("graceful", .number(behavior.graceful)), ("vanish", .number(behavior.vanish))]
        if let hidden = behavior.hidden { members.append(("hidden", json(hidden))) }
        if let idle = behavior.idle { members.append(("idle", json(idle))) }
        if let mobile = behavior.mobile {
            members.append(
                (
                    "mobile",
                    JSONValue(object: [
                        ("share", .number(mobile.share)), ("ios", .number(mobile.ios)),
                        ("suspendAfter", json(mobile.suspendAfter)), ("backgroundTask", .number(mobile.backgroundTask)),
                        ("killWhileSuspended", .number(mobile.killWhileSuspended)),
                        ("dozeAfter", json(mobile.dozeAfter)), ("dozeWindow", json(mobile.dozeWindow)),
                    ])
                ))
        }
        if let typing = behavior.typing {
            members.append(
                (
                    "typing",
                    JSONValue(object: [
                        ("burstsPerHour", .number(typing.burstsPerHour)), ("burst", json(typing.burst)),
                        ("keystroke", json(typing.keystroke)),
                    ])
                ))
        }
        return JSONValue(object: members)
    }

    static func json(_ network: Network) -> JSONValue {
        var members: [(String, JSONValue)] = [("latency", json(network.latency)), ("loss", .number(network.loss))]
        if let outages = network.outages { members.append(("outages", json(outages))) }
        return JSONValue(object: members)
    }

    static func json(_ cohort: Cohort) -> JSONValue {
        JSONValue(object: [
            ("name", .string(cohort.name)), ("share", .number(cohort.share)), ("behavior", json(cohort.behavior)),
            ("network", json(cohort.network)),
        ])
    }

    static func json(_ fault: Fault) -> JSONValue {
        var members: [(String, JSONValue)] = [("at", json(fault.at))]
        switch fault.kind {
        case .restartCore:
            members.append(("kind", "restart-core"))
        case .restartServer:
            members.append(("kind", "restart-server"))
        case .partition(let share, let duration):
            members += [("kind", "partition"), ("share", .number(share)), ("for", json(duration))]
        case .latencySpike(let factor, let duration):
            members += [("kind", "latency-spike"), ("factor", .number(factor)), ("for", json(duration))]
        case .surge(let share, let within):
            members += [("kind", "surge"), ("share", .number(share)), ("within", json(within))]
        }
        return JSONValue(object: members)
    }
}
