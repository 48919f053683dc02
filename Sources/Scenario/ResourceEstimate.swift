import Foundation
import PresenceCore

/// The rough cost model the reader uses to refuse scenarios this machine cannot run. Tune it here.
///
/// The figures come from the engine prototypes (`ENGINE-NOTES.md`) and from measured runs: a plain
/// discrete-event loop keeps ~112 bytes per client and an actor per client ~1.6 KB, so 1,000 bytes covers
/// a client with its store entry, histograms and queue slots. The recorder keeps every observer's view of
/// every member of each of its rooms (16 bytes) and two typing flags, 18 bytes per pair: 20,000 clients in
/// rooms of 5,000 peak at 1.8 GB. A client in k rooms keeps k × E[s²]/E[s] views, since a membership falls
/// in a room with probability proportional to its size; each membership costs 24 bytes: 16 of room lists and when its member last stopped typing there. Deliveries are counted per simulated second (8 bytes each). A client causes
/// about 4 events per heartbeat (send, arrive, store write, timer), and as many per poll, ping, session
/// change or episode; the loop runs a few million events per second.
public enum ResourceEstimate {
    /// Memory per simulated client, in bytes.
    public static let bytesPerClient: Double = 1_000
    /// Memory per (observer, member) pair of a shared room, in bytes.
    public static let bytesPerRoomPair: Double = 18
    /// Memory per membership (a client in a room), in bytes.
    public static let bytesPerMembership: Double = 24
    /// Memory per simulated second, in bytes.
    public static let bytesPerSimulatedSecond: Double = 8
    /// Share of physical memory a run may plan to use.
    public static let usableMemoryShare: Double = 0.8
    /// Events per client per heartbeat period (and per period of any other recurring action).
    public static let eventsPerHeartbeat: Double = 4
    /// Refuse runs estimated above this many events.
    public static let maximumEvents: Double = 2e11
    /// Event rate used to turn an event count into a rough run time.
    public static let eventsPerSecond: Double = 3e6
    /// Most runs a sweep may expand to.
    public static let maximumSweepRuns = 1_000

    /// This machine's memory in bytes.
    public static var physicalMemory: UInt64 { ProcessInfo.processInfo.physicalMemory }

    /// What the population costs per client: memberships and the observer views of its rooms' members.
    public struct Memberships: Sendable, Equatable {
        /// Rooms per client, on average.
        public var roomsPerClient: Double
        /// Members of the room a membership falls in, on average (size-biased: E[s²]/E[s]).
        public var membersPerRoom: Double
        /// Threads per client, on average, and the members of the thread a membership falls in.
        public var threadsPerClient: Double = 0
        public var membersPerThread: Double = 0

        /// Expected values for `rooms` with `clients` clients (room sizes are capped at the client count).
        public init(rooms: Rooms, clients: Double) {
            let cap = Int(min(max(1, clients), 1e9))
            func sizeBiasedMean(_ size: CountDistribution) -> Double {
                let moments = size.moments(cap: cap)
                return moments.mean > 0 ? moments.meanSquare / moments.mean : 0
            }
            roomsPerClient = rooms.perClient.moments(cap: .max).mean
            membersPerRoom = sizeBiasedMean(rooms.size)
            if let threads = rooms.threads {
                threadsPerClient = threads.perClient.moments(cap: .max).mean
                membersPerThread = sizeBiasedMean(threads.size)
            }
        }

        /// One room of `size` members per client.
        public init(roomSize: Int) {
            roomsPerClient = 1
            membersPerRoom = Double(roomSize)
        }

        var bytesPerClient: Double {
            roomsPerClient * (bytesPerMembership + membersPerRoom * bytesPerRoomPair)
                + threadsPerClient * (bytesPerMembership + membersPerThread * bytesPerRoomPair)
        }
    }

    /// Estimated memory of a run, in bytes.
    public static func memory(clients: Int, memberships: Memberships, duration: Interval = .zero) -> Double {
        memory(clients: Double(clients), memberships: memberships, duration: duration)
    }

    static func memory(clients: Double, memberships: Memberships, duration: Interval) -> Double {
        clients * (bytesPerClient + memberships.bytesPerClient) + max(0, duration.seconds) * bytesPerSimulatedSecond
    }

    /// The most clients whose estimated memory fits in the usable share of `physicalMemory`.
    public static func largestClientCount(
        memberships: Memberships, physicalMemory: UInt64, duration: Interval = .zero
    ) -> Int {
        let perClient = bytesPerClient + memberships.bytesPerClient
        let usable = Double(physicalMemory) * usableMemoryShare - max(0, duration.seconds) * bytesPerSimulatedSecond
        return Int(min(Double(Int.max / 2), max(0, usable / perClient).rounded(.down)))
    }

    /// Estimated events of a run: clients × heartbeats per client × events per heartbeat.
    public static func events(clients: Int, duration: Interval, heartbeat: Interval) -> Double {
        events(clients: Double(clients), duration: duration, heartbeat: heartbeat)
    }

    static func events(clients: Double, duration: Interval, heartbeat: Interval) -> Double {
        events(clients: clients, duration: duration, recurring: [Recurring(key: "heartbeat", period: heartbeat)])
    }

    /// Something that happens again and again during a run, each time causing about
    /// ``eventsPerHeartbeat`` events: a client's heartbeat or poll, or the server's expiry sweep.
    public struct Recurring: Sendable, Equatable {
        /// The scenario key that sets it: `"protocol.heartbeat"`, `"behavior.online"`.
        public var key: String
        /// The mean time between two occurrences.
        public var period: Interval
        /// Whether every client does it (true) or the server once (false).
        public var perClient: Bool
        /// The share of the clients that do it (a cohort's share; 1 without cohorts).
        public var share: Double

        public init(key: String, period: Interval, perClient: Bool = true, share: Double = 1) {
            self.key = key
            self.period = period
            self.perClient = perClient
            self.share = share
        }

        /// Occurrences per second of every client (or of the server).
        var rate: Double { period > .zero ? 1 / period.seconds : .infinity }
    }

    /// Every recurring action of a scenario: the protocol's timers and polls, session changes, episodes
    /// and keystrokes. Reconnect attempts are not counted: they happen only while a client is cut off.
    public static func recurring(presence: PresenceProtocol, behavior: Behavior?, network: Network?) -> [Recurring] {
        var recurring = [Recurring(key: "protocol.heartbeat", period: presence.heartbeat)]
        if let ping = presence.pingInterval { recurring.append(Recurring(key: "protocol.pingInterval", period: ping)) }
        if let poll = presence.userPoll { recurring.append(Recurring(key: "protocol.userPoll", period: poll)) }
        if let poll = presence.typingPoll { recurring.append(Recurring(key: "protocol.typingPoll", period: poll)) }
        if case .poll(let poll) = presence.delivery {
            recurring.append(Recurring(key: "protocol.delivery", period: poll))
        }
        if case .sweep(let every) = presence.expiry {
            recurring.append(Recurring(key: "protocol.expiry", period: every, perClient: false))
        }
        if case .redis(let redis) = presence.expiry {
            recurring.append(Recurring(key: "protocol.expiry", period: redis.period, perClient: false))
        }
        if presence.batch > .zero {
            recurring.append(Recurring(key: "protocol.batch", period: presence.batch, perClient: false))
        }
        if let behavior {
            if let profile = behavior.profile {
                // A client starts a spell about (share online) / (mean spell) times a second.
                let busiest = profile.points.map(\.share).max() ?? 0
                if let online = mean(behavior.online), busiest > 0 {
                    recurring.append(Recurring(key: "behavior.profile", period: Interval(clamping: online / busiest)))
                }
            } else if let online = mean(behavior.online), let offline = mean(behavior.offline) {
                recurring.append(Recurring(key: "behavior.online", period: Interval(clamping: online + offline)))
            }
            for (key, episodes) in [("behavior.hidden", behavior.hidden), ("behavior.idle", behavior.idle)] {
                if let episodes, let recurrence = episodeRecurring(key, episodes) { recurring.append(recurrence) }
            }
            if let typing = behavior.typing, typing.burstsPerHour > 0, let burst = mean(typing.burst) {
                // Keystrokes per second of a client: bursts per second × keystrokes per burst.
                let perSecond = typing.burstsPerHour / 3600 * max(1, burst / max(typing.keystroke.seconds, 1e-9))
                recurring.append(Recurring(key: "behavior.typing", period: Interval(clamping: 1 / perSecond)))
            }
        }
        if let outages = network?.outages, let recurrence = episodeRecurring("network.outages", outages) {
            recurring.append(recurrence)
        }
        return recurring
    }

    /// Every recurring action of a scenario with cohorts: the protocol's once, each cohort's behaviour
    /// and network for its share of the clients, keyed by the cohort's path (`cohorts[1].behavior.typing`).
    public static func recurring(presence: PresenceProtocol, cohorts: [Cohort]) -> [Recurring] {
        let protocolActions = recurring(presence: presence, behavior: nil, network: nil)
        let cohortActions = cohorts.enumerated().flatMap { index, cohort in
            recurring(presence: presence, behavior: cohort.behavior, network: cohort.network)
                .dropFirst(protocolActions.count)
                .map { action in
                    Recurring(
                        key: "cohorts[\(index)]." + action.key, period: action.period, perClient: action.perClient,
                        share: cohort.share)
                }
        }
        return protocolActions + cohortActions
    }

    private static func episodeRecurring(_ key: String, _ episodes: Episodes) -> Recurring? {
        guard let every = mean(episodes.every) else { return nil }
        return Recurring(key: key + ".every", period: Interval(clamping: every + (mean(episodes.duration) ?? 0)))
    }

    /// The mean of a distribution of durations, in seconds; nil for `never`.
    static func mean(_ distribution: Distribution) -> Double? {
        switch distribution {
        case .never: return nil
        case .constant(let value): return value.seconds
        case .uniform(let low, let high): return (low.seconds + high.seconds) / 2
        case .exponential(let mean): return mean.seconds
        case .lognormal(let median, let p99):
            // p99 = median × e^(2.326 σ); the mean is median × e^(σ²/2).
            let sigma = log(max(p99.seconds / max(median.seconds, 1e-12), 1)) / 2.326
            return median.seconds * exp(min(sigma * sigma / 2, 700))
        }
    }

    /// Estimated events of a run: every recurring action's occurrences × events per occurrence.
    public static func events(clients: Double, duration: Interval, recurring: [Recurring]) -> Double {
        recurring.reduce(0) { total, action in
            total + (action.perClient ? clients * action.share : 1) * duration.seconds * action.rate
                * eventsPerHeartbeat
        }
    }

    // MARK: - Human-readable figures for messages

    /// `"1.5 GB"`, `"10 TB"` (decimal units).
    static func bytesText(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return roughly(value) + " " + units[unit]
    }

    /// `"12,000"`, `"3.4 million"`, `"2 trillion"`.
    static func countText(_ count: Double) -> String {
        let scales: [(Double, String)] = [
            (1e15, "quadrillion"), (1e12, "trillion"), (1e9, "billion"), (1e6, "million"),
        ]
        for (scale, name) in scales where count >= scale {
            return count / scale >= 1000 ? String(format: "%.1e", count) : roughly(count / scale) + " " + name
        }
        return groupedInteger(Int(count.rounded()))
    }

    /// `"40 seconds"`, `"3.5 hours"`, `"12 days"`, `"2.1 years"`.
    static func timeText(seconds: Double) -> String {
        let scales: [(Double, String)] = [(365 * 86_400, "years"), (86_400, "days"), (3_600, "hours"), (60, "minutes")]
        for (scale, name) in scales where seconds >= 2 * scale {
            return roughly(seconds / scale) + " " + name
        }
        return roughly(seconds) + " seconds"
    }

    /// `1234567` → `"1,234,567"`.
    static func groupedInteger(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return (value < 0 ? "-" : "") + text
    }

    /// Two significant figures at most, no trailing zeros: `3.4`, `12`, `150`.
    private static func roughly(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        let rounded = value >= 10 ? value.rounded() : (value * 10).rounded() / 10
        return JSONValue.numberText(rounded)
    }
}

extension Interval {
    /// The interval nearest to `seconds`, within 1 ns and the longest interval.
    fileprivate init(clamping seconds: Double) {
        let nanoseconds = seconds * 1e9
        guard nanoseconds.isFinite, nanoseconds < Double(Int64.max) else {
            self.init(nanoseconds: nanoseconds.isNaN ? 1 : Int64.max)
            return
        }
        self.init(nanoseconds: Swift.max(1, Int64(nanoseconds.rounded())))
    }
}
