import PresenceCore
import Simulation
import Testing

/// `CalendarQueue` against a sorted array over thousands of seeds, in the manner of swift-collections'
/// `HeapTests.test_insert_random`: random interleavings of `schedule`, `pop(through:)` and `nextInstant()`,
/// with every answer and the count compared after each step.
///
/// The instants are drawn to reach every path of the queue: ties at one instant (which MUST come out in
/// scheduling order), the bucket being drained, the next few buckets, the past of the bucket being drained,
/// both sides of the wheel's span (2^16 buckets of 2^24 ns, about 18.3 minutes), and the far future up to
/// `Instant.distantFuture`, which waits in the overflow heap.
@Suite struct CalendarQueuePropertyTests {
    /// A bucket's width and the wheel's span in nanoseconds, as in `CalendarQueue`.
    static let bucket: Int64 = 1 << 24
    static let span: Int64 = bucket << 16

    /// The reference: pending events sorted by (instant, scheduling order).
    private struct Reference {
        private(set) var pending: [(at: Instant, id: Int)] = []

        mutating func schedule(_ id: Int, at instant: Instant) {
            // After every event at the same instant: those were scheduled earlier.
            var low = 0
            var high = pending.count
            while low < high {
                let middle = (low + high) / 2
                if pending[middle].at <= instant { low = middle + 1 } else { high = middle }
            }
            pending.insert((instant, id), at: low)
        }

        mutating func pop(through limit: Instant) -> (at: Instant, id: Int)? {
            guard let first = pending.first, first.at <= limit else { return nil }
            return pending.removeFirst()
        }

        var nextInstant: Instant? { pending.first?.at }
    }

    /// One seed's run: the first difference from the reference, or nil. `wide` seeds also schedule around
    /// the wheel's span and far beyond; they are fewer, since the wheel turns one bucket at a time towards
    /// an event near the end of its span.
    private static func firstDifference(seed: UInt64, wide: Bool, steps: Int) -> String? {
        var random = RandomStream(seed: seed, stream: 0, purpose: .behavior)
        var queue = CalendarQueue<Int>()
        var reference = Reference()
        var clock = Instant.zero
        var recent: [Instant] = [.zero]
        for step in 0..<steps {
            let action = random.next(below: 10)
            let at = instant(near: clock, recent: recent, wide: wide, using: &random)
            if action < 5 {
                queue.schedule(step, at: at)
                reference.schedule(step, at: at)
                recent = Array((recent + [at]).suffix(8))
            } else if action < 9 {
                let popped = queue.pop(through: at)
                let expected = reference.pop(through: at)
                guard popped?.at == expected?.at, popped?.event == expected?.id else {
                    return "seed \(seed), step \(step): pop(through: \(at)) gave \(String(describing: popped)), "
                        + "expected \(String(describing: expected))"
                }
                if let popped { clock = popped.at }
            } else if queue.nextInstant() != reference.nextInstant {
                return "seed \(seed), step \(step): nextInstant() gave \(String(describing: queue.nextInstant())), "
                    + "expected \(String(describing: reference.nextInstant))"
            }
            guard queue.count == reference.pending.count else {
                return "seed \(seed), step \(step): count \(queue.count), expected \(reference.pending.count)"
            }
        }
        // Whatever is left comes out in order, and then nothing.
        while let expected = reference.pop(through: .distantFuture) {
            let popped = queue.pop(through: .distantFuture)
            guard popped?.at == expected.at, popped?.event == expected.id else {
                return "seed \(seed), draining: gave \(String(describing: popped)), expected \(expected)"
            }
        }
        guard queue.nextInstant() == nil, queue.pop(through: .distantFuture) == nil, queue.count == 0 else {
            return "seed \(seed): not empty after draining"
        }
        return nil
    }

    /// An instant for a schedule or a pop limit, relative to the last popped instant.
    private static func instant(near clock: Instant, recent: [Instant], wide: Bool, using random: inout RandomStream)
        -> Instant
    {
        func later(by nanoseconds: UInt64) -> Instant { clock + Interval(nanoseconds: Int64(nanoseconds)) }
        func earlier(by nanoseconds: UInt64) -> Instant {
            Instant(nanoseconds: max(0, clock.nanoseconds - Int64(nanoseconds)))
        }
        switch random.next(below: wide ? 9 : 6) {
        // The same instant as a recent event: ties.
        case 0: return recent[Int(random.next(below: UInt64(recent.count)))]
        case 1: return clock
        // The bucket being drained, and the next few.
        case 2: return later(by: random.next(below: UInt64(bucket)))
        case 3: return later(by: random.next(below: UInt64(bucket * 8)))
        // The past: within the bucket being drained, or a few buckets back.
        case 4: return earlier(by: random.next(below: UInt64(bucket)))
        case 5: return earlier(by: random.next(below: UInt64(bucket * 4)))
        // Either side of the wheel's span, two buckets each way.
        case 6: return later(by: UInt64(span - 2 * bucket) + random.next(below: UInt64(bucket * 4)))
        // Far beyond it (days to years), and the end of time.
        case 7: return later(by: random.next(below: UInt64(1) << 50))
        default:
            let end = Instant.distantFuture
            return random.next(below: 2) == 0
                ? end : Instant(nanoseconds: end.nanoseconds - Int64(random.next(below: 1 << 40)))
        }
    }

    @Test func matchesASortedArrayOverManySeeds() {
        let differences = (0..<UInt64(2000)).compactMap { Self.firstDifference(seed: $0, wide: false, steps: 200) }
        #expect(differences.isEmpty, "\(differences.count) seeds differ, first: \(differences.prefix(3))")
    }

    @Test func matchesASortedArrayAcrossTheWheelsSpan() {
        let differences = (0..<UInt64(64)).compactMap {
            Self.firstDifference(seed: 1_000_000 + $0, wide: true, steps: 100)
        }
        #expect(differences.isEmpty, "\(differences.count) seeds differ, first: \(differences.prefix(3))")
    }

    /// Many events at one instant, scheduled between pops: they come out in scheduling order.
    @Test func eventsAtOneInstantKeepSchedulingOrder() {
        var queue = CalendarQueue<Int>()
        let at = Instant(nanoseconds: 3 * Self.bucket + 5)
        for id in 0..<1000 { queue.schedule(id, at: at) }
        var popped: [Int] = []
        for id in 1000..<2000 {
            popped.append(queue.pop(through: at)?.event ?? -1)
            queue.schedule(id, at: at)
        }
        while let next = queue.pop(through: at) { popped.append(next.event) }
        #expect(popped == Array(0..<2000))
    }

    /// A pop limit before the next event returns nothing and leaves the queue as it was.
    @Test func aLimitBeforeTheNextEventPopsNothing() {
        var queue = CalendarQueue<Int>()
        let far = Instant(nanoseconds: Self.span * 3 + 7)
        queue.schedule(1, at: far)
        #expect(queue.pop(through: Instant(nanoseconds: far.nanoseconds - 1)) == nil)
        #expect(queue.count == 1 && queue.nextInstant() == far)
        // Now the wheel has turned to the far event's bucket: an event earlier than it still comes first.
        queue.schedule(2, at: .zero)
        #expect(queue.pop(through: .distantFuture)?.event == 2)
        #expect(queue.pop(through: far)?.event == 1)
    }
}

extension RandomStream {
    /// A draw in 0..<bound (bound > 0); the slight modulo bias does not matter for a test.
    fileprivate mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
