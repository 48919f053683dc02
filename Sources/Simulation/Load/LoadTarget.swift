import PresenceCore
import RedisTarget

/// What one input's trip to the target did.
struct TargetCall: Sendable {
    /// Messages the shard sent to clients while handling the input.
    var deliveries: Int
    /// The operation's wall-clock latency in nanoseconds; nil when the target failed it.
    var latency: Int64?
}

/// Where a load test's inputs go: the in-process core alone, or a Redis server behind it.
///
/// Either way the shard's ``PresenceServer`` decides what the design does, so the client models keep getting
/// their deliveries; a target only adds what the design sends to its store, and says what an operation's
/// latency is.
protocol LoadTarget: Sendable {
    /// Has `shard` handle `input`, due at `due`, and performs what it sent to the store.
    func perform(_ input: ServerInput, on shard: CoreShard, due: Instant, clock: LoadClock) async -> TargetCall
    /// Why the target stopped the test (too many errors), or nil while it goes on.
    var stopReason: String? { get }
    /// Failed operations by kind of error.
    var errors: [String: Int] { get }
}

/// The in-process presence core: an operation's latency is the shard call, waiting for the actor included.
struct InProcessTarget: LoadTarget {
    func perform(_ input: ServerInput, on shard: CoreShard, due: Instant, clock: LoadClock) async -> TargetCall {
        let started = clock.wallNow()
        let handled = await shard.handle(input, due: due)
        return TargetCall(deliveries: handled.deliveries, latency: clock.wallNow() - started)
    }

    var stopReason: String? { nil }
    var errors: [String: Int] { [:] }
}

/// A Redis server: after the shard has handled an input, the commands the design issues for it
/// (``RedisCommands``) go through the client, each request pipelined, and their round trips are the operation's
/// latency. An operation that sends nothing to Redis is timed as the shard call.
///
/// A failed request (an error reply, a timeout, a lost connection) fails the operation and is counted by kind.
/// Once at least ``minimumErrors`` operations failed and they are more than ``errorShareLimit`` of those
/// performed, the target asks the test to stop: past that point the figures describe a broken server.
final class RedisLoadTarget: LoadTarget {
    static let minimumErrors = 20
    static let errorShareLimit = 0.05

    private let client: any RedisClient
    private let state = Locked(State())

    private struct State {
        var performed = 0
        var failed = 0
        var errors: [String: Int] = [:]
        var stopReason: String?
    }

    init(client: any RedisClient) { self.client = client }

    func perform(_ input: ServerInput, on shard: CoreShard, due: Instant, clock: LoadClock) async -> TargetCall {
        let called = clock.wallNow()
        let handled = await shard.handle(input, due: due)
        let started = clock.wallNow()
        // An operation the design sends nothing to Redis for (design A's typing relay) is the shard call alone.
        guard !handled.requests.isEmpty else {
            return TargetCall(deliveries: handled.deliveries, latency: started - called)
        }
        var failure: String?
        do {
            for request in handled.requests {
                if let error = try await send(request) {
                    failure = Self.kind(ofReply: error)
                    break
                }
            }
        } catch {
            failure = Self.kind(of: error)
        }
        let latency = clock.wallNow() - started
        count(failure)
        return TargetCall(deliveries: handled.deliveries, latency: failure == nil ? latency : nil)
    }

    var stopReason: String? { state.withLock { $0.stopReason } }
    var errors: [String: Int] { state.withLock { $0.errors } }

    /// Sends one request; returns the first error reply, if any.
    private func send(_ request: StoreRequest) async throws -> String? {
        switch request {
        case .pipeline(let commands):
            return Self.firstError(try await client.pipeline(commands))
        case .membersThenGet(let set, let keyPrefix):
            let members = try await client.pipeline([["SMEMBERS", set]])
            if let error = Self.firstError(members) { return error }
            let names = members.first?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !names.isEmpty else { return nil }
            return Self.firstError(try await client.pipeline(names.map { ["GET", keyPrefix + $0] }))
        }
    }

    private func count(_ failure: String?) {
        state.withLock { state in
            state.performed += 1
            guard let failure else { return }
            state.failed += 1
            state.errors[failure, default: 0] += 1
            if state.stopReason == nil, state.failed >= Self.minimumErrors,
                Double(state.failed) > Self.errorShareLimit * Double(state.performed)
            {
                let share = Int((Double(state.failed) / Double(state.performed) * 100).rounded())
                state.stopReason =
                    "the Redis target failed \(state.failed) of \(state.performed) operations (\(share)%; "
                    + "the most common: \(Self.mostCommon(state.errors)))"
            }
        }
    }

    private static func firstError(_ replies: [RESPValue]) -> String? {
        for case .error(let message) in replies { return message }
        return nil
    }

    /// An error reply's kind: its first word, such as `WRONGTYPE`, `OOM` or `ERR`.
    static func kind(ofReply message: String) -> String {
        String(message.prefix { $0 != " " })
    }

    /// The kind of a failure that is not an error reply.
    static func kind(of error: any Error) -> String {
        guard let error = error as? RedisTargetError else { return "other" }
        switch error {
        case .server(let message): return kind(ofReply: message)
        case .authenticationRequired: return "NOAUTH"
        case .invalidPassword: return "WRONGPASS"
        case .timeout: return "timeout"
        case .connectionLost, .connectionClosed: return "connection lost"
        case .protocolError: return "protocol error"
        case .unexpectedReply: return "unexpected reply"
        case .invalidURL, .tlsConfiguration, .tlsHandshakeFailed, .connectionRefused, .connectTimeout, .connectFailed,
            .emptyCommand:
            return "connect"
        }
    }

    private static func mostCommon(_ errors: [String: Int]) -> String {
        errors.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { "\($0.key) × \($0.value)" } ?? "none"
    }
}
