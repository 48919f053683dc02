import PresenceCore

extension PresenceProtocol {
    /// Every knob of `design` as the reference design ships it (see `Scenarios/FORMAT.md` for the sources).
    public static func defaults(for design: Design) -> PresenceProtocol {
        switch design {
        case .socketioRedis:
            // Seed A: ping every 20 s rewrites a 60 s key; no expired-key worker ships; Socket.IO v4
            // defaults pingInterval 25 s, pingTimeout 20 s, reconnectionDelay 1 s, reconnectionDelayMax
            // 5 s, randomizationFactor 0.5; typing:false 1.5 s after the last keystroke, no throttle.
            PresenceProtocol(
                design: design, heartbeat: .seconds(20), ttl: .seconds(60), expiry: .off, delivery: .push,
                userPoll: nil, userPollBatch: 100, typingPoll: nil, pingInterval: .seconds(25),
                pingTimeout: .seconds(20), leaveOnDisconnect: true, away: nil, awayOnHidden: false,
                offlineOnLeave: false, roomSetTTL: nil, typingStop: .milliseconds(1500), typingThrottle: .zero,
                typingTTL: nil, leaveGrace: .zero, batch: .zero,
                reconnect: Reconnect(initial: .seconds(1), max: .seconds(5), multiplier: 2, jitter: 0.5),
                payloadBytes: 40)
        case .httpPolling:
            // Seed B: POST every 30 s, 60 s TTL, reads filter expired keys; away after 5 min idle or on
            // hidden; offline beacon on leave; room set expires at 10 x TTL; observers poll users every
            // 30 s (100 ids a request), rooms every 10 s, typing every 2 s; typing auto-false after 3 s.
            PresenceProtocol(
                design: design, heartbeat: .seconds(30), ttl: .seconds(60), expiry: .off,
                delivery: .poll(.seconds(10)), userPoll: .seconds(30), userPollBatch: 100,
                typingPoll: .seconds(2), pingInterval: nil, pingTimeout: .zero, leaveOnDisconnect: false,
                away: .minutes(5), awayOnHidden: true, offlineOnLeave: true, roomSetTTL: .seconds(600),
                typingStop: .seconds(3), typingThrottle: .zero, typingTTL: nil, leaveGrace: .zero, batch: .zero,
                reconnect: Reconnect(initial: .zero, max: .zero, multiplier: 1, jitter: 0), payloadBytes: 120)
        case .ttlEntries:
            // Seed C: 30 s TTL refreshed every 10 s, reads filter expired entries and subscribers are
            // told at once; typing as a 5 s entry; Phoenix-style reconnect [1, 2, 5, 10] s, no jitter.
            PresenceProtocol(
                design: design, heartbeat: .seconds(10), ttl: .seconds(30), expiry: .exact, delivery: .push,
                userPoll: nil, userPollBatch: 100, typingPoll: nil, pingInterval: .seconds(25),
                pingTimeout: .seconds(20), leaveOnDisconnect: false, away: nil, awayOnHidden: false,
                offlineOnLeave: false, roomSetTTL: nil, typingStop: .seconds(3), typingThrottle: .seconds(1),
                typingTTL: .seconds(5), leaveGrace: .zero, batch: .zero,
                reconnect: Reconnect(initial: .seconds(1), max: .seconds(10), multiplier: 2, jitter: 0),
                payloadBytes: 30)
        }
    }
}
