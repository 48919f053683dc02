// The simulator's event queue (Simulation.CalendarQueue) against a plain binary heap
// (swift-collections' Heap), on the same heartbeat-like workload.
//
// About 100,000 events are pending, one per client. An operation pops the earliest event and schedules
// the client's next one 20 s later, plus a jitter of up to 1 s; ties are broken by scheduling order in
// both queues. One iteration is 1,000,000 operations (`scalingFactor: .mega`); the queue carries on from
// one iteration to the next, so every iteration sees the same steady state.

import Benchmark
import BenchmarkSupport
import HeapModule
import PresenceCore
import Simulation

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: gatedMetrics + shownMetrics,
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(60),
        maxIterations: 10
    )

    // About 0.11 mallocs per operation (109,631 per iteration of 10^6): a bucket's array grows as events
    // land in it. The gate allows 1,100 either way.
    Benchmark(
        "CalendarQueue-100kPending",
        configuration: .init(thresholds: gatedThresholds(mallocs: 1_100))
    ) { (benchmark, box: CalendarBox) in
        for _ in benchmark.scaledIterations {
            let (at, client) = box.queue.pop(through: .distantFuture)!
            box.queue.schedule(client, at: at + box.nextDelay())
        }
    } setup: {
        let box = CalendarBox()
        for client in 0..<pendingEvents {
            box.queue.schedule(UInt32(client), at: Instant.zero + box.nextJitter(upTo: period))
        }
        return box
    }

    Benchmark(
        "Heap-100kPending",
        configuration: .init(thresholds: gatedThresholds(mallocs: 10))
    ) { (benchmark, box: HeapBox) in
        for _ in benchmark.scaledIterations {
            let head = box.heap.removeMin()
            box.sequence &+= 1
            box.heap.insert(
                HeapItem(at: head.at + box.nextDelay().nanoseconds, sequence: box.sequence, client: head.client))
        }
    } setup: {
        let box = HeapBox()
        for client in 0..<pendingEvents {
            box.sequence &+= 1
            box.heap.insert(
                HeapItem(at: box.nextJitter(upTo: period).nanoseconds, sequence: box.sequence, client: UInt32(client)))
        }
        return box
    }
}

let pendingEvents = 100_000
let period = Interval.seconds(20)
let jitter = Interval.seconds(1)

/// A SplitMix64 stream for the delays, so both queues see the same sequence.
class Delays {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    func nextJitter(upTo limit: Interval) -> Interval {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Interval(nanoseconds: Int64(z % UInt64(limit.nanoseconds)))
    }

    func nextDelay() -> Interval { period + nextJitter(upTo: jitter) }
}

final class CalendarBox: Delays {
    var queue = CalendarQueue<UInt32>()
}

/// The simulator's ordering: by instant, then by scheduling order.
struct HeapItem: Comparable {
    var at: Int64
    var sequence: UInt64
    var client: UInt32

    static func < (lhs: HeapItem, rhs: HeapItem) -> Bool { (lhs.at, lhs.sequence) < (rhs.at, rhs.sequence) }
    static func == (lhs: HeapItem, rhs: HeapItem) -> Bool { lhs.sequence == rhs.sequence }
}

final class HeapBox: Delays {
    var heap = Heap<HeapItem>()
    var sequence: UInt64 = 0
}
