import Foundation
import NIOCore
import NIOPosix
import RedisTarget
import RedisTestSupport
import Testing

@Suite("Redis connection against a real redis-server")
struct RedisConnectionTests {
    @Test("SET, GET, EXPIRE and PX")
    func setGetExpire() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            #expect(try await redis.send(["SET", "greeting", "hello"]) == .simpleString("OK"))
            #expect(try await redis.send(["GET", "greeting"]) == .bulk("hello"))
            #expect(try await redis.send(["EXPIRE", "greeting", "100"]) == .integer(1))
            let ttl = try await redis.send(["TTL", "greeting"]).integerValue ?? -1
            #expect((1...100).contains(ttl))
            #expect(try await redis.send(["SET", "brief", "x", "PX", "10000"]) == .simpleString("OK"))
            let pttl = try await redis.send(["PTTL", "brief"]).integerValue ?? -1
            #expect((1...10000).contains(pttl))
            #expect(try await redis.send(["PEXPIRE", "brief", "50"]) == .integer(1))
            try await Task.sleep(for: .milliseconds(150))
            #expect(try await redis.send(["GET", "brief"]) == .bulkString(nil))
            await redis.close()
        }
    }

    @Test("a missing key is a nil bulk string, a timed-out BLPOP a nil array")
    func nilReplies() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let missing = try await redis.send(["GET", "no-such-key"])
            #expect(missing == .bulkString(nil) && missing.isNil)
            #expect(try await redis.send(["BLPOP", "no-such-list", "0.01"]) == .array(nil))
            await redis.close()
        }
    }

    @Test("error replies throw .server and leave the connection usable")
    func errorReplies() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            _ = try await redis.send(["SET", "text", "not a number"])
            await #expect(throws: RedisTargetError.server("ERR value is not an integer or out of range")) {
                try await redis.send(["INCR", "text"])
            }
            await #expect {
                try await redis.send(["LPUSH", "text", "x"])
            } throws: { error in
                guard case RedisTargetError.server(let message) = error else {
                    return false
                }
                return message.hasPrefix("WRONGTYPE")
            }
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))

            // A server out of memory refuses writes with -OOM.
            _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            _ = try await redis.send(["CONFIG", "SET", "maxmemory", "1"])
            await #expect {
                try await redis.send(["SET", "more", "data"])
            } throws: { error in
                guard case RedisTargetError.server(let message) = error else {
                    return false
                }
                return message.hasPrefix("OOM")
            }
            await redis.close()
        }
    }

    @Test("SADD of 10,000 members, then SMEMBERS")
    func largeArray() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let members = (0..<10_000).map { "member-\($0)" }
            #expect(try await redis.send(["SADD", "big"] + members) == .integer(10_000))
            let reply = try await redis.send(["SMEMBERS", "big"])
            let read = Set(reply.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(read == Set(members))
            await redis.close()
        }
    }

    @Test("a pipeline of 1,000 commands gets its replies in order, error replies in their place")
    func pipeline() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let increments = Array(repeating: ["INCR", "counter"], count: 1000)
            let replies = try await redis.pipeline(increments)
            #expect(replies == (1...1000).map { RESPValue.integer(Int64($0)) })

            var mixed: [[String]] = []
            for index in 0..<500 {
                mixed.append(["SET", "key-\(index)", "value-\(index)"])
                mixed.append(["GET", "key-\(index)"])
            }
            mixed.insert(["INCR", "key-7"], at: 500)
            let mixedReplies = try await redis.pipeline(mixed)
            #expect(mixedReplies.count == 1001)
            #expect(mixedReplies[500] == .error("ERR value is not an integer or out of range"))
            var expected: [RESPValue] = (0..<500).flatMap { [.simpleString("OK"), .bulk("value-\($0)")] }
            expected.insert(.error("ERR value is not an integer or out of range"), at: 500)
            #expect(mixedReplies == expected)
            #expect(try await redis.pipeline([]) == [])
            await #expect(throws: RedisTargetError.emptyCommand) {
                try await redis.pipeline([["PING"], []])
            }
            await #expect(throws: RedisTargetError.emptyCommand) {
                try await redis.send([])
            }
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
            await redis.close()
        }
    }

    @Test("concurrent senders on one connection each get their own replies")
    func concurrentSenders() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<50 {
                    group.addTask {
                        for round in 0..<20 {
                            let value = "\(task)-\(round)"
                            let replies = try await redis.pipeline([["SET", "k\(task)", value], ["GET", "k\(task)"]])
                            #expect(replies == [.simpleString("OK"), .bulk(value)])
                        }
                    }
                }
                try await group.waitForAll()
            }
            await redis.close()
        }
    }

    @Test("SELECT on connect: the URL's database")
    func database() async throws {
        try await withRedisServer { server in
            var three = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/3", environmentPassword: nil)
            three.connectTimeout = server.configuration().connectTimeout
            let selected = try await RedisConnection.connect(to: three)
            let defaultDatabase = try await server.connect()
            _ = try await selected.send(["SET", "where", "three"])
            #expect(try await defaultDatabase.send(["GET", "where"]) == .bulkString(nil))
            #expect(try await selected.send(["GET", "where"]) == .bulk("three"))
            var outOfRange = three
            outOfRange.database = 99
            await #expect {
                try await RedisConnection.connect(to: outOfRange)
            } throws: { error in
                guard case RedisTargetError.server(let message) = error else {
                    return false
                }
                return message.contains("DB index is out of range")
            }
            await selected.close()
            await defaultDatabase.close()
        }
    }

    @Test("INFO server and INFO memory")
    func info() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let serverInfo = try await redis.info(section: "server")
            #expect(serverInfo.redisVersion?.first?.isNumber == true)
            #expect(serverInfo["tcp_port"] == String(server.port))
            let memory = try await redis.info(section: "memory")
            #expect((memory.usedMemory ?? 0) > 0)
            await redis.close()
        }
    }

    @Test("scanDelete removes the keys with the prefix, and only those")
    func scanDelete() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let ours = (0..<2500).map { ["SET", "presence-sim:test:\($0)", "x"] }
            let theirs = (0..<300).map { ["SET", "other:\($0)", "x"] }
            let lookalikes = [["SET", "presence-sim:tesT:1", "x"], ["SET", "presence-sim:test", "x"]]
            _ = try await redis.pipeline(ours + theirs + lookalikes)
            #expect(try await redis.scanDelete(prefix: "presence-sim:test:") == 2500)
            #expect(try await redis.send(["DBSIZE"]) == .integer(302))
            #expect(try await redis.scanDelete(prefix: "presence-sim:test:") == 0)

            // Glob characters in the prefix are literal.
            _ = try await redis.pipeline([["SET", "a*1", "x"], ["SET", "ab", "x"], ["SET", "a?", "x"]])
            #expect(try await redis.scanDelete(prefix: "a*") == 1)
            #expect(try await redis.send(["EXISTS", "ab", "a?"]) == .integer(2))
            await redis.close()
        }
    }
}

@Suite("Redis connection failures")
struct RedisConnectionFailureTests {
    @Test("a password required and not given: authenticationRequired")
    func noAuth() async throws {
        try await withRedisServer(password: "correct horse") { server in
            var configuration = server.configuration()
            configuration.password = nil
            await #expect(throws: RedisTargetError.authenticationRequired) {
                try await RedisConnection.connect(to: configuration)
            }
        }
    }

    @Test("a wrong password: invalidPassword with the server's WRONGPASS")
    func wrongPassword() async throws {
        try await withRedisServer(password: "correct horse") { server in
            var configuration = server.configuration()
            configuration.password = "battery staple"
            await #expect {
                try await RedisConnection.connect(to: configuration)
            } throws: { error in
                guard case RedisTargetError.invalidPassword(let message) = error else {
                    return false
                }
                return message.hasPrefix("WRONGPASS")
            }
            configuration.password = "correct horse"
            configuration.username = "default"
            let redis = try await RedisConnection.connect(to: configuration)
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
            await redis.close()
        }
    }

    @Test("a password sent to a server without one is refused")
    func passwordWithoutServerPassword() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.password = "unneeded"
            await #expect {
                try await RedisConnection.connect(to: configuration)
            } throws: { error in
                guard case RedisTargetError.invalidPassword = error else {
                    return false
                }
                return true
            }
        }
    }

    @Test("nothing listening: connectionRefused")
    func refused() async throws {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let port = reservation.port
        await #expect(throws: RedisTargetError.connectionRefused(host: "127.0.0.1", port: port)) {
            try await RedisConnection.connect(to: RedisConfiguration(host: "127.0.0.1", port: port))
        }
        await #expect(throws: RedisTargetError.connectionRefused(host: "127.0.0.1", port: port)) {
            try await RedisConnectionPool.connect(to: RedisConfiguration(host: "127.0.0.1", port: port), size: 3)
        }
    }

    /// The configured timeout ends the wait. No wall-clock bound: on a loaded machine the test's task may
    /// resume minutes after the event loop failed the connect (126 s once, with both cooperative threads busy
    /// with other tests' runs), which says nothing about the client.
    @Test("a server that accepts and never answers: connectTimeout")
    func connectTimeout() async throws {
        try await withSilentServer(replying: nil) { port in
            let configuration = RedisConfiguration(host: "127.0.0.1", port: port, connectTimeout: .milliseconds(300))
            await #expect(
                throws: RedisTargetError.connectTimeout(host: "127.0.0.1", port: port, after: .milliseconds(300))
            ) {
                try await RedisConnection.connect(to: configuration)
            }
        }
    }

    /// The garbage answers the connect's `PING`. The connect timeout is long so that a loaded machine, whose
    /// event loop may take seconds to run the reply handler, cannot turn the protocol error into a timeout.
    @Test("a server that sends garbage: protocolError")
    func garbage() async throws {
        try await withSilentServer(replying: "?garbage\r\n") { port in
            let configuration = RedisConfiguration(host: "127.0.0.1", port: port, connectTimeout: .seconds(120))
            await #expect(throws: RedisTargetError.protocolError(.unknownType(UInt8(ascii: "?")))) {
                try await RedisConnection.connect(to: configuration)
            }
        }
    }

    @Test("a command with no reply in time: timeout, and the connection is closed")
    func commandTimeout() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.commandTimeout = .milliseconds(200)
            let redis = try await RedisConnection.connect(to: configuration)
            await #expect(throws: RedisTargetError.timeout(after: .milliseconds(200))) {
                try await redis.send(["BLPOP", "never-filled", "0"])
            }
            // The close runs on the event loop: give it up to 5 s on a loaded machine.
            for _ in 0..<250 where redis.isActive { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!redis.isActive)
            await #expect(throws: RedisTargetError.self) {
                try await redis.send(["PING"])
            }
        }
    }

    @Test("the server dies mid-test: waiting commands fail with connectionLost, and so do later ones")
    func connectionLost() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let blocked = Task { try await redis.send(["BLPOP", "never-filled", "0"]) }
            try await Task.sleep(for: .milliseconds(100))
            kill(server.processIdentifier, SIGKILL)
            await #expect(throws: RedisTargetError.connectionLost) {
                try await blocked.value
            }
            await #expect(throws: RedisTargetError.connectionLost) {
                try await redis.send(["PING"])
            }
        }
    }

    @Test("the client closes: waiting and later commands fail with connectionClosed")
    func closedByClient() async throws {
        try await withRedisServer { server in
            let redis = try await server.connect()
            let blocked = Task { try await redis.send(["BLPOP", "never-filled", "0"]) }
            try await Task.sleep(for: .milliseconds(100))
            await redis.close()
            await #expect(throws: RedisTargetError.connectionClosed) {
                try await blocked.value
            }
            await #expect(throws: RedisTargetError.connectionClosed) {
                try await redis.send(["PING"])
            }
            await redis.close()
        }
    }
}

/// Runs `body` with a TCP server on a loopback port that accepts connections and answers any bytes with
/// `reply`, or never answers when `reply` is nil.
func withSilentServer(replying reply: String?, _ body: (Int) async throws -> Void) async throws {
    // An event loop of its own: the server answers even while the clients' loops are busy.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { group.shutdownGracefully { _ in } }
    let server = try await ServerBootstrap(group: group)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if let reply {
                    try channel.pipeline.syncOperations.addHandler(FixedReplyHandler(reply: reply))
                }
            }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
    do {
        try await body(server.localAddress!.port!)
        try await server.close()
    } catch {
        try await server.close()
        throw error
    }
}

/// Answers whatever it reads with the same bytes.
private final class FixedReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let reply: String

    init(reply: String) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: self.reply)), promise: nil)
    }
}
