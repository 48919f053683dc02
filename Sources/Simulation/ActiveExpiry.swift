import PresenceCore
import Scenario

/// Redis's active-expiry cycle in virtual time (`protocol.expiry` "redis"): `hz` times a second the
/// server runs one slow cycle of `activeExpireCycle` (Redis 7.0, src/expire.c) over the store's keys
/// with a TTL.
///
/// A cycle loops: each loop visits the next `keysPerLoop` keys of the scan and deletes the expired ones;
/// it loops again while more than `acceptableStalePercent` of the sample had expired, until its time
/// budget is spent. Redis's budget is CPU time: `timePercent` of the period between cycles (25 % of
/// 100 ms = 25 ms at the defaults), checked every 16 loops. Virtual time has no CPU, so the budget is a
/// number of loops: the budget in microseconds divided by what one loop costs,
/// ``microsecondsPerSampledKey`` × `keysPerLoop`.
///
/// Left out: Redis's *fast* cycle, which runs before the event loop sleeps when the last slow cycle ran
/// out of time or when its running estimate of expired keys is over the acceptable share (at most 1 ms,
/// at most every 2 ms). It speeds up mass expiry after the slow cycle's budget is spent; it does not
/// change the lag of a few expired keys among many live ones, which is what the model is for.
public struct ActiveExpiry: Sendable {
    /// What visiting one key costs a cycle, in CPU microseconds, when most keys visited have expired
    /// (the case in which the budget binds): measured with redis-server 7.0.15 on a 2-core machine of the
    /// kind this tool runs on, deleting 1,000,000 keys that expired together took the active cycles
    /// 982 ms of CPU (`INFO stats` expire_cycle_cpu_milliseconds) at about 250,000 keys a second —
    /// 25 % of a core, as the budget says. Hence 1 µs a key: 20 µs a loop, 1,250 loops (25,000 keys) per
    /// cycle at the defaults.
    public static let microsecondsPerSampledKey = 1.0

    public let settings: RedisExpiry
    public let loop: PresenceStore.ExpiryLoop
    /// The stream that places new keys in the scan order; a purpose of its own, so that no behaviour
    /// stream shifts when the model is turned on.
    private var random: RandomStream

    /// The cycle for `settings`' scenario, or nil when its expiry is not "redis".
    public init?(settings: ModelSettings) {
        guard case .redis(let redis) = settings.presence.expiry else { return nil }
        self.init(redis, seed: settings.seed)
    }

    public init(_ redis: RedisExpiry, seed: UInt64) {
        settings = redis
        loop = Self.loop(for: redis)
        random = RandomStream(seed: seed, stream: 0, purpose: .activeExpiry)
    }

    /// The loop limits Redis derives from `hz` and the effort, with the time budget as loops.
    public static func loop(for redis: RedisExpiry) -> PresenceStore.ExpiryLoop {
        let budgetMicroseconds = Double(redis.timePercent) * 1_000_000 / Double(redis.hz) / 100
        let loopMicroseconds = microsecondsPerSampledKey * Double(redis.keysPerLoop)
        return PresenceStore.ExpiryLoop(
            keysPerLoop: redis.keysPerLoop, acceptableStalePercent: redis.acceptableStalePercent,
            budgetLoops: max(1, Int(budgetMicroseconds / loopMicroseconds)))
    }

    /// The time between two cycles.
    public var period: Interval { settings.period }

    /// Runs one cycle at `now` and appends the store's `expired` events.
    @discardableResult
    public mutating func run(
        on store: inout PresenceStore, now: Instant, recordLastSeen: Bool, into events: inout [PresenceStore.Event]
    ) -> PresenceStore.CycleOutcome {
        store.activeExpireCycle(now: now, loop: loop, recordLastSeen: recordLastSeen, using: &random, into: &events)
    }
}
