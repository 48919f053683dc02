import Foundation
import RedisTarget
import Testing

@Suite("Redis URLs")
struct RedisConfigurationTests {
    @Test("host, port and database, with defaults")
    func plain() throws {
        let full = try RedisConfiguration(url: "redis://cache.internal:6380/2", environmentPassword: nil)
        #expect(full.host == "cache.internal" && full.port == 6380 && full.database == 2)
        #expect(full.username == nil && full.password == nil)
        let bare = try RedisConfiguration(url: "redis://localhost", environmentPassword: nil)
        #expect(bare.port == 6379 && bare.database == 0)
        #expect(bare.connectTimeout == .seconds(3))
        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7000/", environmentPassword: nil)
        #expect(ipv6.host == "::1" && ipv6.port == 7000 && ipv6.database == 0)
    }

    @Test("passwords and users, as redis-cli reads them")
    func credentials() throws {
        let defaultUser = try RedisConfiguration(url: "redis://:s3cret@h:1/0", environmentPassword: "env")
        #expect(defaultUser.username == nil && defaultUser.password == "s3cret")
        let aclUser = try RedisConfiguration(url: "redis://alice:p%40ss%3Aw@h", environmentPassword: nil)
        #expect(aclUser.username == "alice" && aclUser.password == "p@ss:w")
        let passwordOnly = try RedisConfiguration(url: "redis://s3cret@h", environmentPassword: nil)
        #expect(passwordOnly.username == nil && passwordOnly.password == "s3cret")
    }

    @Test("the password comes from REDIS_PASSWORD when the URL has none")
    func environmentPassword() throws {
        #expect(try RedisConfiguration(url: "redis://h", environmentPassword: "fromenv").password == "fromenv")
        #expect(try RedisConfiguration(url: "redis://alice:@h", environmentPassword: "fromenv").password == "fromenv")
        #expect(try RedisConfiguration(url: "redis://h", environmentPassword: "").password == nil)
    }

    @Test("descriptions never show the password")
    func redacted() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:hunter2@h:1/3", environmentPassword: nil)
        #expect(configuration.description == "redis://alice:***@h:1/3")
        #expect(String(reflecting: configuration) == "redis://alice:***@h:1/3")
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(!"\(configuration)".contains("hunter2"))
        let anonymous = try RedisConfiguration(url: "redis://[::1]", environmentPassword: "hunter2")
        #expect(anonymous.description == "redis://:***@[::1]:6379/0")
        #expect(RedisConfiguration(host: "h").description == "redis://h:6379/0")
    }

    @Test("rediss:// asks for TLS, verified against the system's trust roots; redis:// for none")
    func tls() throws {
        let secure = try RedisConfiguration(url: "rediss://:pw@h:6380/2", environmentPassword: nil)
        #expect(secure.tls == RedisTLS(verification: .systemTrustRoots))
        #expect(secure.host == "h" && secure.port == 6380 && secure.database == 2 && secure.password == "pw")
        #expect(secure.description == "rediss://:***@h:6380/2")
        #expect(try RedisConfiguration(url: "REDISS://h", environmentPassword: nil).tls != nil)
        #expect(try RedisConfiguration(url: "redis://h", environmentPassword: nil).tls == nil)
    }

    @Test("a CA file that cannot be read, or holds no certificate, is refused before connecting")
    func badCertificateAuthorities() throws {
        let missing = "/nonexistent/\(UUID().uuidString)/ca.pem"
        #expect(
            throws: RedisTargetError.tlsConfiguration("cannot read the CA file \(missing): No such file or directory")
        ) {
            try RedisTLS(verification: .certificateAuthorities(file: missing)).validate()
        }
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString)")
        try Data("hello\n".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        do {
            try RedisTLS(verification: .certificateAuthorities(file: notPEM.path)).validate()
            Issue.record("a file without a certificate was accepted")
        } catch {
            #expect("\(error)".contains(notPEM.path), "\(error)")
        }
        try RedisTLS(verification: .none).validate()
    }

    @Test(
        "what is not a redis URL is refused with a message",
        arguments: [
            "h:6379", "http://h", "redis://", "redis://:6379", "redis://h:0", "redis://h:65536", "redis://h:port",
            "redis://h/db", "redis://h/-1", "redis://::1", "redis://[::1", "redis://[::1]x", "redis://h?db=1",
            "redis://%zz@h",
        ]
    )
    func invalid(url: String) {
        #expect {
            try RedisConfiguration(url: url, environmentPassword: nil)
        } throws: { error in
            guard case RedisTargetError.invalidURL(let message) = error else {
                return false
            }
            return !message.isEmpty
        }
    }

    @Test("an invalid URL's message does not show the password")
    func invalidRedacted() {
        #expect {
            try RedisConfiguration(url: "redis://:hunter2@", environmentPassword: nil)
        } throws: { error in
            !String(describing: error).contains("hunter2")
        }
    }

    @Test(
        "loopback hosts",
        arguments: [
            "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost", "LocalHost", "::ffff:127.0.0.1",
        ])
    func loopback(host: String) {
        #expect(RedisConfiguration.isLoopback(host: host))
    }

    @Test(
        "remote hosts",
        arguments: [
            "10.0.0.1", "128.0.0.1", "::2", "redis.example.com", "localhost.example.com", "", "127.0.0.1.example",
        ])
    func remote(host: String) {
        #expect(!RedisConfiguration.isLoopback(host: host))
    }
}
