import Foundation
import RedisTarget
import RedisTestSupport
import Testing

/// Connections over TLS to a redis-server that speaks TLS only, with certificates made for the test.
@Suite(
    "Redis over TLS against a real redis-server",
    .enabled(if: opensslAvailable, "openssl (Debian's openssl) is not installed")
)
struct RedisTLSTests {
    @Test("verified against the test's CA, by IP address and by name: commands and a subscription work")
    func verified() async throws {
        try await withRedisServer(password: "pw", tls: true) { server in
            let redis = try await server.connect()
            #expect(try await redis.send(["SET", "greeting", "hello"]) == .simpleString("OK"))
            #expect(
                try await redis.pipeline([["GET", "greeting"], ["DEL", "greeting"]]) == [.bulk("hello"), .integer(1)])
            await redis.close()

            var byName = server.configuration()
            byName.host = "localhost"
            let named = try await RedisConnection.connect(to: byName)
            #expect(try await named.send(["PING"]) == .simpleString("PONG"))

            let received = AsyncStream.makeStream(of: String.self)
            let subscription = try await RedisConnection.subscribe(to: server.configuration(), pattern: "news.*") {
                _, message in received.continuation.yield(message)
            }
            _ = try await named.send(["PUBLISH", "news.today", "over TLS"])
            var messages = received.stream.makeAsyncIterator()
            #expect(await messages.next() == "over TLS")
            await subscription.close()
            await named.close()
        }
    }

    @Test("a certificate for another host: the handshake fails, by IP address and by name, saying so")
    func hostnameMismatch() async throws {
        try await withRedisServer(tls: true, certificateNames: "DNS:elsewhere.example") { server in
            for host in ["127.0.0.1", "localhost"] {
                var configuration = server.configuration()
                configuration.host = host
                do {
                    let connection = try await RedisConnection.connect(to: configuration)
                    await connection.close()
                    Issue.record("a certificate for elsewhere.example was accepted for \(host)")
                } catch let error as RedisTargetError {
                    guard case .tlsHandshakeFailed(let failedHost, _, let reason) = error else {
                        Issue.record("expected tlsHandshakeFailed for \(host), got \(error)")
                        continue
                    }
                    #expect(failedHost == host)
                    #expect(reason.contains("not for this host"), "\(host): \(reason)")
                }
            }
        }
    }

    @Test("the system's trust roots do not trust the test's CA: the handshake fails, naming the host and why")
    func untrusted() async throws {
        try await withRedisServer(tls: true) { server in
            var configuration = server.configuration()
            configuration.tls = RedisTLS(verification: .systemTrustRoots)
            do {
                let connection = try await RedisConnection.connect(to: configuration)
                await connection.close()
                Issue.record("an untrusted certificate was accepted")
            } catch let error as RedisTargetError {
                guard case .tlsHandshakeFailed(let host, let port, let reason) = error else {
                    Issue.record("expected tlsHandshakeFailed, got \(error)")
                    return
                }
                #expect(host == "127.0.0.1" && port == server.port)
                #expect(reason.contains("certificate verify failed"), "\(reason)")
                #expect(error.description.contains("127.0.0.1:\(server.port)"))
            }

            configuration.tls = RedisTLS(verification: .none)
            let insecure = try await RedisConnection.connect(to: configuration)
            #expect(try await insecure.send(["PING"]) == .simpleString("PONG"))
            await insecure.close()
        }
    }

    @Test("TLS to a server without TLS fails within the connect timeout, as a TLS failure", .timeLimit(.minutes(2)))
    func plainServer() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration()
            configuration.tls = RedisTLS(verification: .none)
            configuration.connectTimeout = .seconds(2)
            do {
                let connection = try await RedisConnection.connect(to: configuration)
                await connection.close()
                Issue.record("TLS to a plain server succeeded")
            } catch let error as RedisTargetError {
                guard case .tlsHandshakeFailed = error else {
                    Issue.record("expected tlsHandshakeFailed, got \(error)")
                    return
                }
            }
        }
    }
}
