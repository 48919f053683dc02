/// Every key of the scenario format, per object, in documentation (and `resolvedJSON`) order.
enum ScenarioKeys {
    static let root = [
        "$schema", "name", "description", "seed", "duration", "warmup", "clients", "rooms", "protocol", "behavior",
        "network", "cohorts",
        "faults", "thresholds", "timeline", "sweep", "replications",
    ]
    static let rooms = ["size", "perClient", "threads"]
    static let threads = ["size", "perClient"]
    static let presence = [
        "design", "heartbeat", "ttl", "expiry", "delivery", "userPoll", "userPollBatch", "typingPoll", "pingInterval",
        "pingTimeout", "leaveOnDisconnect", "away", "awayOnHidden", "offlineOnLeave", "roomSetTTL", "typingStop",
        "typingThrottle", "typingTTL", "leaveGrace", "batch", "reconnect", "payloadBytes",
    ]
    static let reconnect = ["initial", "max", "multiplier", "jitter"]
    static let redisExpiry = ["hz", "effort"]
    static let behavior = [
        "online", "offline", "profile", "graceful", "vanish", "hidden", "idle", "mobile", "typing",
    ]
    static let profile = ["points", "repeat"]
    static let cohort = ["name", "share", "behavior", "network"]
    static let episodes = ["every", "for"]
    static let mobile = [
        "share", "ios", "suspendAfter", "backgroundTask", "killWhileSuspended", "dozeAfter", "dozeWindow",
    ]
    static let typing = ["burstsPerHour", "burst", "keystroke"]
    static let network = ["latency", "loss", "outages"]
    static let fault = ["at", "kind", "share", "for", "factor", "within"]
    static let faultKinds = ["restart-core", "restart-server", "partition", "latency-spike", "surge"]
    static let sweep = ["set", "zip"]
    static let distributionForms = ["constant", "uniform", "exponential", "lognormal"]
    static let countForms = ["constant", "uniform", "zipf", "lognormal"]
    static let zipf = ["exponent", "min", "max"]
    static let lognormal = ["median", "p99"]

    /// The objects whose keys are distinctive enough to suggest "this key belongs over there".
    static let sections: [(path: String, keys: [String])] = [
        ("", root), ("rooms", rooms), ("protocol", presence), ("protocol.reconnect", reconnect),
        ("behavior", behavior), ("behavior.mobile", mobile), ("behavior.typing", typing),
        ("behavior.profile", profile), ("network", network),
    ]

    /// Where a key spelt like `key` (ignoring case, `_` and `-`) lives, when not in `current`: the path
    /// to suggest in a "belongs in" hint, such as `protocol.heartbeat` for a top-level `heartbeat`.
    static func home(of key: String, excluding current: String) -> String? {
        let wanted = Suggestions.normalize(key)
        for section in sections where section.path != current {
            if let match = section.keys.first(where: { Suggestions.normalize($0) == wanted }) {
                return section.path.isEmpty ? match : section.path + "." + match
            }
        }
        return nil
    }
}
