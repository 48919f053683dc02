import PresenceCore
import RedisTarget
import Simulation
import Testing

/// The deadlines `--observe-expiry` keeps, and how it matches the server's `expired` events to them.
@Suite struct ExpiryObserverTests {
    /// A client that answers every command with OK.
    private struct Answering: RedisClient {
        func send(_ command: [String]) async throws -> RESPValue { .simpleString("OK") }
        func pipeline(_ commands: [[String]]) async throws -> [RESPValue] { commands.map { _ in .simpleString("OK") } }
        func close() async {}
    }

    /// A settable clock, in milliseconds.
    private final class Clock: Sendable {
        let milliseconds = Locked<Int64>(0)
        var now: Int64 { milliseconds.withLock { $0 } * 1_000_000 }
        func set(_ value: Int64) { milliseconds.withLock { $0 = value } }
    }

    @Test func eventsAreMatchedToTheirDeadlines() async throws {
        let clock = Clock()
        let observer = ExpiryObserver(keyPrefix: "t:", clock: { clock.now })
        let client = observer.wrapping(Answering())
        _ = try await client.pipeline([
            ["SET", "t:a", "v", "PX", "1000"], ["SET", "t:b", "v", "PX", "1000"], ["SET", "other:c", "v", "PX", "1"],
            ["SET", "t:d", "v", "PX", "1000"], ["SET", "t:e", "v", "PX", "1000"],
        ])
        // a: announced 250 ms late. d: deleted before its deadline, never due.
        observer.received(key: "t:a", atNanoseconds: 1_250_000_000)
        clock.set(500)
        _ = try await client.send(["DEL", "t:d"])
        // b: refreshed 100 ms after its deadline, before Redis deleted it; the write deletes it then.
        clock.set(1100)
        _ = try await client.send(["SET", "t:b", "v", "PX", "1000"])
        observer.received(key: "t:b", atNanoseconds: 1_101_000_000)
        // Not the test's key, and a key with no deadline known.
        observer.received(key: "other:c", atNanoseconds: 1_200_000_000)
        observer.received(key: "t:zz", atNanoseconds: 1_200_000_000)
        // e: due at 1000, no event by the end; b's new deadline (2100) is after the end.
        clock.set(2000)
        observer.endTest()
        let observation = observer.observation
        #expect(observation.lag.count == 2)
        #expect(abs(observation.lag.max - 0.25) < 0.001 && abs(observation.lag.p50 - 0.101) < 0.001)
        #expect(observation.notReceived == 1 && observation.unmatched == 1)
        // The cleanup's lazy expiries after the end are not the test's.
        observer.received(key: "t:b", atNanoseconds: 2_200_000_000)
        #expect(observer.observation.unmatched == 1 && observer.observation.lag.count == 2)
    }
}
