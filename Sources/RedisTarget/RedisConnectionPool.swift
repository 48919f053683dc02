import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A fixed set of connections to one server; each command goes to the connection with the fewest commands in
/// flight.
///
/// A command waits for the replies written before it on its connection, so a large reply or a slow command holds
/// up only the commands behind it on that connection; sending to the least busy one keeps those queues short.
/// Ties go round-robin. Like ``RedisConnection``, the pool does not reconnect: a lost connection fails the
/// commands sent to it.
public final class RedisConnectionPool: RedisClient {
    /// The pool's connections, in the order they were opened.
    public let connections: [RedisConnection]
    private let load: NIOLockedValueBox<Load>

    /// Commands in flight per connection, and where the next search for the least busy one starts.
    private struct Load {
        var inFlight: [Int]
        var rotation = 0
    }

    /// Opens `size` connections at once, each as ``RedisConnection/connect(to:eventLoopGroup:)`` does, and
    /// spreads them over the group's event loops. If one fails, the others are closed and its error is thrown.
    ///
    /// `size` MUST be at least 1.
    public static func connect(
        to configuration: RedisConfiguration,
        size: Int,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnectionPool {
        precondition(size >= 1, "a pool needs at least one connection")
        let results = await withTaskGroup(of: (Int, Result<RedisConnection, any Error>).self) { group in
            for index in 0..<size {
                group.addTask {
                    do {
                        return (
                            index,
                            .success(
                                try await RedisConnection.connect(to: configuration, eventLoopGroup: eventLoopGroup))
                        )
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<RedisConnection, any Error>)] = []
            for await result in group {
                results.append(result)
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var connections: [RedisConnection] = []
        var firstError: (any Error)?
        for result in results {
            switch result {
            case .success(let connection):
                connections.append(connection)
            case .failure(let error):
                firstError = firstError ?? error
            }
        }
        if let firstError {
            for connection in connections {
                await connection.close()
            }
            throw firstError
        }
        return RedisConnectionPool(connections: connections)
    }

    private init(connections: [RedisConnection]) {
        self.connections = connections
        self.load = NIOLockedValueBox(Load(inFlight: Array(repeating: 0, count: connections.count)))
    }

    public func send(_ command: [String]) async throws -> RESPValue {
        let index = self.acquire(commands: 1)
        defer { self.release(index, commands: 1) }
        return try await self.connections[index].send(command)
    }

    public func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        let index = self.acquire(commands: commands.count)
        defer { self.release(index, commands: commands.count) }
        return try await self.connections[index].pipeline(commands)
    }

    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for connection in self.connections {
                group.addTask { await connection.close() }
            }
        }
    }

    /// Commands in flight on each connection, in the order of ``connections``.
    public var commandsInFlight: [Int] {
        self.load.withLockedValue { $0.inFlight }
    }

    private func acquire(commands: Int) -> Int {
        self.load.withLockedValue { load in
            let count = load.inFlight.count
            var best = load.rotation % count
            for offset in 1..<count {
                let index = (load.rotation + offset) % count
                if load.inFlight[index] < load.inFlight[best] {
                    best = index
                }
            }
            load.rotation = (load.rotation + 1) % count
            load.inFlight[best] += commands
            return best
        }
    }

    private func release(_ index: Int, commands: Int) {
        self.load.withLockedValue { $0.inFlight[index] -= commands }
    }
}
