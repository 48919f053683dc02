import HeapModule
import PresenceCore

/// A virtual-time event queue: events in (instant, scheduling order).
///
/// Ties are broken by the order events were scheduled in, so a run is a deterministic function of the
/// scenario: both engines process the same events in the same order. swift-collections' `Heap` does not
/// order equal elements, hence the explicit sequence number.
///
/// A calendar queue keeps the cost per event flat from ten thousand to a million clients: events fall
/// into buckets of about 16.8 ms on a wheel spanning about 18 minutes; only the bucket being drained is
/// a heap, so sifting touches a few hundred recent events instead of millions. Events beyond the wheel's
/// span wait in an overflow heap and move onto the wheel as it turns.
///
/// Its operations are `@inlinable` so that code in other modules (the benchmarks) gets it specialised
/// for its event type, as the engines do.
public struct CalendarQueue<Event> {
    @usableFromInline
    struct Scheduled: Comparable {
        @usableFromInline var at: Instant
        @usableFromInline var sequence: UInt64
        @usableFromInline var event: Event

        @inlinable init(at: Instant, sequence: UInt64, event: Event) {
            self.at = at
            self.sequence = sequence
            self.event = event
        }

        @inlinable static func < (lhs: Scheduled, rhs: Scheduled) -> Bool {
            (lhs.at.nanoseconds, lhs.sequence) < (rhs.at.nanoseconds, rhs.sequence)
        }
        @inlinable static func == (lhs: Scheduled, rhs: Scheduled) -> Bool { lhs.sequence == rhs.sequence }
    }

    /// log2 of a bucket's width in nanoseconds (2^24 ns ≈ 16.8 ms).
    @usableFromInline static var bucketShift: Int64 { 24 }
    @usableFromInline static var bucketCount: Int { 1 << 16 }

    @usableFromInline var buckets: [[Scheduled]] = Array(repeating: [], count: bucketCount)
    /// The events of the bucket being drained (index `currentBucket`).
    @usableFromInline var current = Heap<Scheduled>()
    @usableFromInline var currentBucket: Int64 = 0
    @usableFromInline var onWheel = 0
    @usableFromInline var overflow = Heap<Scheduled>()
    @usableFromInline var sequence: UInt64 = 0

    @usableFromInline var storedCount = 0
    /// Events scheduled and not yet popped.
    public var count: Int { storedCount }

    @inlinable public init() {}

    /// Schedules `event` at `instant`; events at the same instant come out in the order scheduled.
    @inlinable public mutating func schedule(_ event: Event, at instant: Instant) {
        sequence &+= 1
        storedCount += 1
        let item = Scheduled(at: instant, sequence: sequence, event: event)
        let bucket = max(instant.nanoseconds >> Self.bucketShift, currentBucket)
        if bucket == currentBucket {
            current.insert(item)
        } else if bucket - currentBucket < Int64(Self.bucketCount) {
            buckets[Int(bucket) & (Self.bucketCount - 1)].append(item)
            onWheel += 1
        } else {
            overflow.insert(item)
        }
    }

    /// The next event, if it is due no later than `limit`.
    @inlinable public mutating func pop(through limit: Instant) -> (at: Instant, event: Event)? {
        guard let head = next(), head.at <= limit else { return nil }
        current.removeMin()
        storedCount -= 1
        return (head.at, head.event)
    }

    /// When the next event is due, without removing it.
    @inlinable public mutating func nextInstant() -> Instant? { next()?.at }

    /// Turns the wheel until the bucket being drained holds the next event, and returns that event.
    @inlinable mutating func next() -> Scheduled? {
        while current.isEmpty {
            guard onWheel > 0 || !overflow.isEmpty else { return nil }
            if onWheel == 0, let next = overflow.min {
                currentBucket = next.at.nanoseconds >> Self.bucketShift
            } else {
                currentBucket += 1
            }
            let slot = Int(currentBucket) & (Self.bucketCount - 1)
            if !buckets[slot].isEmpty {
                onWheel -= buckets[slot].count
                // Hand the bucket's storage to the heap: a bucket keeps no capacity once drained, so the
                // wheel holds only the events in flight.
                var events: [Scheduled] = []
                swap(&events, &buckets[slot])
                current = Heap(events)
            }
            // Bring overflow events that now fall on the wheel's span.
            let horizon = currentBucket + Int64(Self.bucketCount)
            while let next = overflow.min, next.at.nanoseconds >> Self.bucketShift < horizon {
                let item = overflow.removeMin()
                let bucket = item.at.nanoseconds >> Self.bucketShift
                if bucket <= currentBucket {
                    current.insert(item)
                } else {
                    buckets[Int(bucket) & (Self.bucketCount - 1)].append(item)
                    onWheel += 1
                }
            }
        }
        return current.min
    }
}
