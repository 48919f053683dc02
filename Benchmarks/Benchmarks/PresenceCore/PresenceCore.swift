// Store operations of the TTL presence store (PresenceCore.PresenceStore), in steady state.
//
// Each benchmark keeps its store in a box made once by `setup`, so an iteration measures only the
// operations: 1,000 of them per iteration (`scalingFactor: .kilo`), with virtual time moving forward
// across iterations. The iteration count is fixed (`maxIterations`, with a generous `maxDuration`), so
// the malloc counts are the same on every run: they are what the thresholds gate.

import Benchmark
import BenchmarkSupport
import PresenceCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: gatedMetrics + shownMetrics,
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(30),
        maxIterations: 200
    )

    // 100k live entries (5 per room); one heartbeat from each client in turn, 200 µs of virtual time
    // apart, so a client refreshes every 20 s with a 60 s TTL: every call finds a live entry.
    Benchmark(
        "HeartbeatRefresh-100kLive",
        configuration: .init(thresholds: gatedThresholds(mallocs: 10))
    ) { (benchmark, box: StoreBox) in
        for _ in benchmark.scaledIterations {
            let client = box.cursor
            let key = EntryKey(room: RoomID(client / 5), client: ClientID(client))
            blackHole(box.store.heartbeat(key, now: box.now, ttl: .seconds(60)))
            box.cursor = client + 1 == populationSize ? 0 : client + 1
            box.now = box.now + tick
        }
    } setup: {
        StoreBox(livePopulation: populationSize)
    }

    // The same population with churn: every 10th client of a round is replaced by a new one (the old
    // entry is left to expire 60 s later, as a vanished client's would), and the store is asked to expire
    // everything due after each heartbeat, as the `exact` expiry mode does. One operation is one
    // heartbeat plus one expire(through:), which removes about 0.1 entries on average.
    Benchmark(
        "HeartbeatExpireChurn-100k",
        configuration: .init(thresholds: gatedThresholds(mallocs: 10))
    ) { (benchmark, box: StoreBox) in
        for _ in benchmark.scaledIterations {
            box.churnStep()
        }
    } setup: {
        let box = StoreBox(livePopulation: populationSize)
        // Four rounds reach the steady state: entries abandoned in the first round have expired.
        for _ in 0..<(4 * populationSize) { box.churnStep() }
        return box
    }

    // A 500-member room inside the 100k-entry store; 100 of its members' entries have expired (ghosts).
    // About 5 mallocs per call (13 before the live members were filtered into storage reserved once).
    Benchmark(
        "MembersLiveOnly-500",
        configuration: .init(thresholds: gatedThresholds(mallocs: 50))
    ) { (benchmark, box: StoreBox) in
        for _ in benchmark.scaledIterations {
            blackHole(box.store.members(of: roomOf500, now: box.now, liveOnly: true))
        }
    } setup: {
        let box = StoreBox(livePopulation: populationSize)
        for member in 0..<500 {
            let client = ClientID(populationSize + member)
            box.store.addMember(client, to: roomOf500, now: box.now)
            let ttl: Interval = member % 5 == 0 ? .seconds(1) : .seconds(600)
            box.store.heartbeat(EntryKey(room: roomOf500, client: client), now: box.now, ttl: ttl)
        }
        box.now = box.now + .seconds(2)
        return box
    }
}

let populationSize = 100_000
/// Virtual time between two operations: a full round of heartbeats takes 20 s.
let tick = Interval(nanoseconds: 200_000)
let roomOf500 = RoomID(rawValue: UInt32.max)

/// The store and the position of the workload, shared by the iterations of one benchmark.
final class StoreBox {
    var store = PresenceStore()
    var now = Instant.zero
    /// The next client (or slot) to heartbeat.
    var cursor = 0
    /// The client id in each slot (churn), and the next fresh id.
    var slots: [UInt32]
    var nextClient: UInt32
    var events: [PresenceStore.Event] = []

    init(livePopulation: Int) {
        slots = (0..<livePopulation).map { UInt32($0) }
        nextClient = UInt32(livePopulation) + 1_000_000
        for client in 0..<livePopulation {
            let key = EntryKey(room: RoomID(client / 5), client: ClientID(client))
            store.heartbeat(key, now: now, ttl: .seconds(60))
        }
        events.reserveCapacity(64)
    }

    func churnStep() {
        let slot = cursor
        let round = now.nanoseconds / (tick.nanoseconds * Int64(slots.count))
        if (Int64(slot) + round) % 10 == 0 {
            slots[slot] = nextClient
            nextClient &+= 1
        }
        let key = EntryKey(room: RoomID(slot / 5), client: ClientID(rawValue: slots[slot]))
        store.heartbeat(key, now: now, ttl: .seconds(60))
        store.expire(through: now, recordLastSeen: true, into: &events)
        events.removeAll(keepingCapacity: true)
        cursor = slot + 1 == slots.count ? 0 : slot + 1
        now = now + tick
    }
}
