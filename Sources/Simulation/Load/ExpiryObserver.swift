import PresenceCore
import RedisTarget

/// How late a Redis server announces that the test's keys expired: the time from each key's deadline
/// (the tester knows when it set each `PX` TTL) to the server's `expired` keyspace event for it.
///
/// Commands go through ``wrapping(_:)``, which notes the deadline of every `SET … PX` and `PEXPIRE` on a key
/// with the test's prefix, and forgets it on `DEL`/`UNLINK`; ``received(key:atNanoseconds:)`` takes each
/// `expired` event from a subscribed connection. A deadline is the moment the command was sent plus its TTL,
/// so a lag includes at most one round trip too much (well under a millisecond on a local server).
///
/// A write to a key that is past its deadline but not yet deleted makes Redis delete it then (lazy expiry)
/// and send its `expired` event: the old deadline is kept aside for that event. An event that matches no
/// deadline (a key whose deadline the tester could not know) is counted as unmatched.
public final class ExpiryObserver: Sendable {
    /// Clock differences below this are not told apart: a write this close after a deadline counts as a
    /// refresh, and an event this early for a deadline counts as on time.
    static let tolerance: Int64 = 5_000_000

    public let keyPrefix: String
    private let clock: @Sendable () -> Int64
    private let state = Locked(State())

    private struct State {
        /// Each key's current deadline, in wall-clock nanoseconds of `clock`.
        var deadlines: [String: Int64] = [:]
        /// Deadlines a later write replaced when they had passed, or nearly: the server's event for them may
        /// still come (it is due for certain when the deadline had passed by more than the tolerance).
        var overdue: [String: (deadline: Int64, certain: Bool)] = [:]
        var lag = DurationHistogram()
        var notReceived = 0
        var unmatched = 0
        /// False from the end of a test to the next command: the cleanup's `SCAN` expires keys lazily too,
        /// and those events are not the test's.
        var listening = true
    }

    /// - Parameter clock: monotonic wall-clock nanoseconds, the same the events are stamped with.
    public init(keyPrefix: String, clock: @escaping @Sendable () -> Int64) {
        self.keyPrefix = keyPrefix
        self.clock = clock
    }

    /// The client, noting every deadline its commands set.
    public func wrapping(_ client: any RedisClient) -> any RedisClient {
        ObservedClient(client: client, observer: self)
    }

    /// Notes the deadlines `commands` set, as sent at `now`.
    func note(_ commands: [[String]], at now: Int64) {
        state.withLock { state in
            state.listening = true
            for command in commands where command.count >= 2 && command[1].hasPrefix(keyPrefix) {
                switch command[0].uppercased() {
                case "SET":
                    guard let index = command.firstIndex(where: { $0.uppercased() == "PX" }), index + 1 < command.count,
                        let milliseconds = Int64(command[index + 1])
                    else {
                        Self.forget(command[1], at: now, in: &state)
                        continue
                    }
                    Self.set(command[1], deadline: now + milliseconds * 1_000_000, at: now, in: &state)
                case "PEXPIRE":
                    guard command.count >= 3, let milliseconds = Int64(command[2]) else { continue }
                    Self.set(command[1], deadline: now + milliseconds * 1_000_000, at: now, in: &state)
                case "DEL", "UNLINK":
                    for key in command.dropFirst() { Self.forget(key, at: now, in: &state) }
                default:
                    continue
                }
            }
        }
    }

    private static func set(_ key: String, deadline: Int64, at now: Int64, in state: inout State) {
        forget(key, at: now, in: &state)
        state.deadlines[key] = deadline
    }

    /// The key's deadline no longer holds; one already passed still waits for its event.
    private static func forget(_ key: String, at now: Int64, in state: inout State) {
        guard let old = state.deadlines.removeValue(forKey: key) else { return }
        if old <= now + tolerance, state.overdue[key] == nil {
            state.overdue[key] = (old, certain: old + tolerance <= now)
        }
    }

    /// The server's `expired` event for `key`, received at `now`.
    public func received(key: String, atNanoseconds now: Int64) {
        guard key.hasPrefix(keyPrefix) else { return }
        state.withLock { state in
            guard state.listening else { return }
            if let overdue = state.overdue.removeValue(forKey: key) {
                state.lag.record(Interval(nanoseconds: max(0, now - overdue.deadline)))
            } else if let deadline = state.deadlines[key], deadline - Self.tolerance <= now {
                state.deadlines[key] = nil
                state.lag.record(Interval(nanoseconds: max(0, now - deadline)))
            } else {
                state.unmatched += 1
            }
        }
    }

    /// Ends one test: every deadline that passed without its event counts as not received, and the deadlines
    /// are forgotten (the test's keys are deleted next).
    public func endTest() {
        let now = clock()
        state.withLock { state in
            state.notReceived += state.overdue.values.filter(\.certain).count
            state.notReceived += state.deadlines.values.filter { $0 + Self.tolerance <= now }.count
            state.overdue.removeAll()
            state.deadlines.removeAll()
            state.listening = false
        }
    }

    /// What was observed so far.
    public var observation: ExpiryObservation {
        state.withLock { ExpiryObservation(lag: $0.lag.summary, notReceived: $0.notReceived, unmatched: $0.unmatched) }
    }

    /// Monotonic wall-clock nanoseconds.
    func now() -> Int64 { clock() }
}

/// The lag of a Redis server's `expired` events after the keys' deadlines, in wall-clock seconds.
public struct ExpiryObservation: Sendable, Equatable {
    /// From each key's deadline to its `expired` event, for the events received.
    public var lag: Summary
    /// Keys whose deadline passed during the test without an `expired` event before it ended.
    public var notReceived: Int
    /// Events for keys with no known deadline.
    public var unmatched: Int

    public init(lag: Summary, notReceived: Int, unmatched: Int) {
        self.lag = lag
        self.notReceived = notReceived
        self.unmatched = unmatched
    }

    /// The share of the keys whose deadline passed that had their event within the test.
    public var receivedShare: Double {
        let due = lag.count + notReceived
        return due > 0 ? Double(lag.count) / Double(due) : 1
    }
}

/// A client whose commands' deadlines an ``ExpiryObserver`` notes.
private struct ObservedClient: RedisClient {
    let client: any RedisClient
    let observer: ExpiryObserver

    func send(_ command: [String]) async throws -> RESPValue {
        observer.note([command], at: observer.now())
        return try await client.send(command)
    }

    func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        observer.note(commands, at: observer.now())
        return try await client.pipeline(commands)
    }

    func close() async { await client.close() }
}
