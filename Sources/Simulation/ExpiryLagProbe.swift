import Foundation
import PresenceCore
import RedisTarget
import Scenario

/// How late expired keys are announced among many other keys with a TTL, in the `"redis"` expiry model and on
/// a real Redis server, with the same key population: `others` keys that live long, and `probes` keys that all
/// expire together, `probeTTL` after they were written. Nothing reads a probe, so only the active cycle finds
/// them; the lag of each is the time from its deadline to its deletion (the model) or to its `expired` keyspace
/// event (the server), up to `window` after the deadline.
public struct ExpiryLagProbe: Sendable {
    public var others: Int
    public var probes: Int
    public var probeTTL: Interval
    public var othersTTL: Interval
    public var window: Interval
    public var seed: UInt64

    public init(
        others: Int, probes: Int, probeTTL: Interval = .seconds(1), othersTTL: Interval = .hours(1),
        window: Interval = .seconds(60), seed: UInt64 = 1
    ) {
        self.others = others
        self.probes = probes
        self.probeTTL = probeTTL
        self.othersTTL = othersTTL
        self.window = window
        self.seed = seed
    }

    /// The probes' lags: those within the window, and how many were not announced within it.
    public struct Outcome: Sendable, Equatable {
        /// Seconds from the deadline to each probe's deletion or event, ascending.
        public var lags: [Double]
        public var probes: Int

        public init(lags: [Double], probes: Int) {
            self.lags = lags.sorted()
            self.probes = probes
        }

        public var notReceived: Int { probes - lags.count }
        public var notReceivedShare: Double { probes > 0 ? Double(notReceived) / Double(probes) : 0 }

        /// The lag at `percentile` (0…100) over all probes, those not received counting as later than any:
        /// nil when that percentile was not received within the window.
        public func lag(atPercentile percentile: Double) -> Double? {
            guard probes > 0 else { return nil }
            let rank = max(0, Int((percentile / 100 * Double(probes)).rounded(.up)) - 1)
            return rank < lags.count ? lags[rank] : nil
        }
    }

    // MARK: The model

    /// The `"redis"` model with `redis`'s knobs: the keys are written at 0, and the cycles run every 1/hz from
    /// a phase drawn from the seed (a real server's cycle has no fixed phase relative to the writes).
    public func model(_ redis: RedisExpiry) -> Outcome {
        var store = PresenceStore(samplesVolatileKeys: true)
        let room = RoomID(0)
        for index in 0..<(probes + others) {
            let ttl = index < probes ? probeTTL : othersTTL
            store.heartbeat(EntryKey(room: room, client: ClientID(index)), now: .zero, ttl: ttl)
        }
        var cycle = ActiveExpiry(redis, seed: seed)
        var phase = RandomStream(seed: seed, stream: 1, purpose: .activeExpiry)
        let period = redis.period
        var now = Instant.zero + Interval(nanoseconds: Int64(phase.unit() * Double(period.nanoseconds)))
        let deadline = Instant.zero + probeTTL
        let end = deadline + window
        var lags: [Double] = []
        var events: [PresenceStore.Event] = []
        while now <= end, lags.count < probes {
            events.removeAll(keepingCapacity: true)
            cycle.run(on: &store, now: now, recordLastSeen: false, into: &events)
            for event in events {
                if case .expired(let key) = event.change, key.client.index < probes {
                    lags.append((now - deadline).seconds)
                }
            }
            now = now + period
        }
        return Outcome(lags: lags, probes: probes)
    }

    // MARK: A real server

    /// The server's expiry knobs (`CONFIG GET hz` and `active-expire-effort`).
    public static func settings(of client: any RedisClient) async throws -> RedisExpiry {
        func value(_ name: String) async throws -> Int {
            let reply = try await client.send(["CONFIG", "GET", name])
            guard let parts = reply.arrayValue, parts.count == 2, let text = parts[1].stringValue, let value = Int(text)
            else {
                throw RedisTargetError.unexpectedReply(command: "CONFIG GET \(name)", reply: reply)
            }
            return value
        }
        return RedisExpiry(hz: try await value("hz"), effort: try await value("active-expire-effort"))
    }

    /// Measures the server at `configuration`: widens `notify-keyspace-events` to `Ex` for the measurement
    /// (and puts the old value back), writes the keys under `keyPrefix`, listens to
    /// `__keyevent@db__:expired` until every probe was announced or the window ended, then deletes its keys.
    public func measure(_ configuration: RedisConfiguration, keyPrefix: String) async throws -> Outcome {
        let client = try await RedisConnection.connect(to: configuration)
        do {
            let outcome = try await measure(configuration, keyPrefix: keyPrefix, client: client)
            await client.close()
            return outcome
        } catch {
            await client.close()
            throw error
        }
    }

    private func measure(
        _ configuration: RedisConfiguration, keyPrefix: String, client: RedisConnection
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        let clock: @Sendable () -> Int64 = {
            let elapsed = ContinuousClock.now - started
            return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        }
        let previous = try await Self.flags(of: client)
        var flags = previous
        if !flags.contains("E") { flags += "E" }
        if !flags.contains("x"), !flags.contains("A") { flags += "x" }
        _ = try await client.send(["CONFIG", "SET", "notify-keyspace-events", flags])
        let arrivals = Locked([String: Int64]())
        let probePrefix = keyPrefix + "probe:"
        do {
            let subscription = try await RedisConnection.subscribe(
                to: configuration, pattern: "__keyevent@\(configuration.database)__:expired"
            ) { _, key in
                guard key.hasPrefix(probePrefix) else { return }
                let now = clock()
                arrivals.withLock { if $0[key] == nil { $0[key] = now } }
            }
            let outcome = try await measureSubscribed(client, probePrefix: probePrefix, keyPrefix: keyPrefix) {
                (clock(), arrivals.withLock { $0 })
            }
            await subscription.close()
            _ = try await client.scanDelete(prefix: keyPrefix)
            _ = try await client.send(["CONFIG", "SET", "notify-keyspace-events", previous])
            return outcome
        } catch {
            _ = try? await client.scanDelete(prefix: keyPrefix)
            _ = try? await client.send(["CONFIG", "SET", "notify-keyspace-events", previous])
            throw error
        }
    }

    private func measureSubscribed(
        _ client: RedisConnection, probePrefix: String, keyPrefix: String,
        now: @Sendable () -> (Int64, [String: Int64])
    ) async throws -> Outcome {
        let othersMilliseconds = String(othersTTL.nanoseconds / 1_000_000)
        for start in stride(from: 0, to: others, by: 1000) {
            let batch = (start..<min(others, start + 1000)).map {
                ["SET", keyPrefix + "other:\($0)", "x", "PX", othersMilliseconds]
            }
            try Self.check(try await client.pipeline(batch))
        }
        let probeMilliseconds = String(probeTTL.nanoseconds / 1_000_000)
        let names = (0..<probes).map { probePrefix + "\($0)" }
        let sent = now().0
        try Self.check(try await client.pipeline(names.map { ["SET", $0, "x", "PX", probeMilliseconds] }))
        let deadline = sent + probeTTL.nanoseconds
        let end = deadline + window.nanoseconds
        var arrivals: [String: Int64] = [:]
        while true {
            let (time, seen) = now()
            arrivals = seen
            if time >= end || seen.count >= probes { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let lags = names.compactMap { arrivals[$0] }.filter { $0 <= end }.map { Double(max(0, $0 - deadline)) * 1e-9 }
        return Outcome(lags: lags, probes: probes)
    }

    private static func flags(of client: any RedisClient) async throws -> String {
        let reply = try await client.send(["CONFIG", "GET", "notify-keyspace-events"])
        guard let parts = reply.arrayValue, parts.count == 2, let flags = parts[1].stringValue else {
            throw RedisTargetError.unexpectedReply(command: "CONFIG GET notify-keyspace-events", reply: reply)
        }
        return flags
    }

    private static func check(_ replies: [RESPValue]) throws {
        for case .error(let message) in replies { throw RedisTargetError.server(message) }
    }
}
