/// The scenario `presence-sim init` writes: every commonly changed key present with a sensible value, the
/// design's protocol knobs at their reference defaults, and a `description` that says what to change.
///
/// The document MUST load as written (a test loads every design's), and its thresholds pass when it is run
/// unchanged, so a team starts from a green run and sees what its own numbers do.
public enum StarterScenario {
    /// The protocol knobs a team usually weighs, per design; the rest keep the design's defaults.
    static func protocolKeys(for design: Design) -> [String] {
        let common = ["design", "heartbeat", "ttl", "expiry", "delivery"]
        let remedies = ["leaveGrace", "batch", "reconnect"]
        switch design {
        case .socketioRedis: return common + ["pingInterval", "pingTimeout"] + remedies
        case .httpPolling: return common + ["userPoll", "away"] + remedies
        case .ttlEntries: return common + remedies
        }
    }

    /// Thresholds that the starter passes on each design, with room to spare.
    static func thresholds(for design: Design) -> JSONValue {
        switch design {
        case .socketioRedis:
            return [
                "staleness.offlineDetection.p99": "< 2m", "staleness.queryAccuracy": ">= 98%",
                "cost.heartbeatsPerSecond": "< 100",
            ]
        case .httpPolling:
            return [
                "staleness.offlineDetection.p99": "< 3m", "staleness.queryAccuracy": ">= 80%",
                "cost.heartbeatsPerSecond": "< 100",
            ]
        case .ttlEntries:
            return [
                "staleness.offlineDetection.p99": "< 1m", "staleness.queryAccuracy": ">= 98%",
                "cost.heartbeatsPerSecond": "< 200",
            ]
        }
    }

    /// The starter scenario for `design`, named `name`.
    public static func document(design: Design, name: String) -> JSONValue {
        let defaults = Scenario.json(PresenceProtocol.defaults(for: design)).objectValue ?? []
        let keys = protocolKeys(for: design)
        let presence = JSONValue(object: defaults.filter { keys.contains($0.key) }.map { ($0.key, $0.value) })
        var behavior: [(String, JSONValue)] = [
            ("online", ["lognormal": ["median": "20m", "p99": "4h"]]),
            ("offline", ["exponential": "2h"]),
            ("graceful", 0.6),
            ("vanish", 0.5),
            ("hidden", ["every": ["exponential": "15m"], "for": ["lognormal": ["median": "1m", "p99": "30m"]]]),
        ]
        if design == .httpPolling {
            behavior.append(
                ("idle", ["every": ["exponential": "10m"], "for": ["lognormal": ["median": "2m", "p99": "1h"]]]))
        }
        behavior += [
            ("mobile", ["share": 0.3]),
            ("typing", ["burstsPerHour": 6, "burst": ["uniform": ["2s", "30s"]], "keystroke": "250ms"]),
        ]
        return JSONValue(object: [
            ("name", .string(name)),
            ("description", .string(description(design: design))),
            ("seed", 1),
            ("duration", "1h"),
            ("warmup", "10m"),
            ("clients", 1000),
            ("rooms", ["size": ["uniform": [2, 8]]]),
            ("protocol", presence),
            ("behavior", JSONValue(object: behavior)),
            ("network", ["latency": ["lognormal": ["median": "60ms", "p99": "600ms"]], "loss": 0.005]),
            ("faults", [["at": "40m", "kind": "restart-server"]]),
            ("thresholds", thresholds(for: design)),
        ])
    }

    static func description(design: Design) -> String {
        "A starter scenario for the \(design.rawValue) design: 1,000 clients in rooms of 2 to 8 for an hour, "
            + "measured after a 10-minute warm-up. To make it yours: set clients and rooms.size to your app's "
            + "numbers; protocol.heartbeat and protocol.ttl to the settings you are weighing (the other protocol "
            + "keys are the design's defaults, and any knob in Scenarios/FORMAT.md can be added); behavior to "
            + "how your users come and go (online and offline spell lengths, hidden tabs, the share on phones, "
            + "typing); network to your users' latency and loss; faults to the incidents to rehearse (remove the "
            + "server restart at 40m for a quiet hour); and thresholds to what your product must hold. "
            + "`presence-sim validate FILE` checks the file, `presence-sim run FILE` runs it, and "
            + "`presence-sim sweep FILE --set protocol.heartbeat=10s,20s,30s` compares settings."
    }
}
