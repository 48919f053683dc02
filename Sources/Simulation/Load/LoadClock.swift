import Foundation
import PresenceCore
import Scenario
import Synchronization

/// The wall clock of a load test and its mapping onto simulated time. Its time starts at `start()`,
/// once the clients and shards are built and the opening events are in place.
final class LoadClock: Sendable {
    let schedule: SpeedSchedule
    /// The monotonic clock's reading at the start, in nanoseconds.
    private let origin = Atomic<Int64>(0)

    init(schedule: SpeedSchedule) { self.schedule = schedule }

    func start() { origin.store(Self.monotonic(), ordering: .relaxed) }

    /// Wall-clock nanoseconds since the test began.
    func wallNow() -> Int64 { Self.monotonic() - origin.load(ordering: .relaxed) }

    func simulatedNow() -> Instant { schedule.simulated(atWall: wallNow()) }

    /// The monotonic clock in nanoseconds, read directly: it is read a few times per event.
    private static func monotonic() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
