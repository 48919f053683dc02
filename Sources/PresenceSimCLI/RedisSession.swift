import ArgumentParser
import Dispatch
import Foundation
import RedisTarget
import Reporting
import Simulation

/// The user's Redis server during `presence-sim load --target`: connected and checked before the test,
/// its test keys deleted after it.
///
/// Failing to reach the server exits 69 (`EX_UNAVAILABLE`) and a refused password 64, each with the client's
/// message, before any client model starts.
struct RedisSession {
    let configuration: RedisConfiguration
    let pool: RedisConnectionPool
    let keyPrefix: String
    let redisVersion: String
    let usedMemoryBefore: Int?

    /// Connections to the server unless `--connections` says otherwise.
    static let defaultConnections = 4

    /// Exit code for a target that cannot be reached or that fails during the test.
    static let unavailable: Int32 = 69

    /// The default key prefix: `presence-sim:{seconds since 1970}-{process id}:`, unique per run.
    static func defaultKeyPrefix() -> String {
        "presence-sim:\(Int(Date().timeIntervalSince1970))-\(getpid()):"
    }

    /// The target's URL without credentials.
    static func url(_ configuration: RedisConfiguration) -> String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let scheme = configuration.tls == nil ? "redis" : "rediss"
        return "\(scheme)://\(host):\(configuration.port)/\(configuration.database)"
    }

    static func open(_ configuration: RedisConfiguration, connections: Int, keyPrefix: String) throws -> RedisSession {
        do {
            return try blockingWait {
                let pool = try await RedisConnectionPool.connect(to: configuration, size: connections)
                do {
                    let server = try await pool.info(section: "server")
                    let memory = try await pool.info(section: "memory")
                    return RedisSession(
                        configuration: configuration, pool: pool, keyPrefix: keyPrefix,
                        redisVersion: server.redisVersion ?? "unknown", usedMemoryBefore: memory.usedMemory)
                } catch {
                    await pool.close()
                    throw error
                }
            }
        } catch let error as RedisTargetError {
            printError("error: --target \(url(configuration)): \(error)")
            printTLSHint(error, configuration)
            switch error {
            case .authenticationRequired, .invalidPassword, .tlsConfiguration: throw ExitCode(64)
            default: throw ExitCode(unavailable)
            }
        }
    }

    /// What to try after a failed TLS handshake, on a second line.
    static func printTLSHint(_ error: RedisTargetError, _ configuration: RedisConfiguration) {
        guard case .tlsHandshakeFailed(_, _, let reason) = error, reason.contains("certificate") else { return }
        switch configuration.tls?.verification {
        case .systemTrustRoots:
            printError(
                "hint: give the certificate authority that signed the server's certificate with --tls-ca FILE "
                    + "(or --tls-insecure for a test server only)")
        case .certificateAuthorities(let file):
            printError("hint: is the server's certificate signed by a CA in \(file), and for \(configuration.host)?")
        default:
            break
        }
    }

    /// The options that send a test's commands to this server.
    var options: LoadTest.RedisOptions { LoadTest.RedisOptions(client: pool, keyPrefix: keyPrefix) }

    /// `used_memory` now, or nil when the server does not answer.
    func usedMemory() -> Int? {
        try? blockingWait { [pool] in try await pool.info(section: "memory").usedMemory }
    }

    /// Deletes the test's keys (`SCAN` for the prefix, `UNLINK`); returns how many, or the error.
    func deleteKeys() -> Result<Int, RedisTargetError> {
        do {
            return .success(try blockingWait { [pool, keyPrefix] in try await pool.scanDelete(prefix: keyPrefix) })
        } catch let error as RedisTargetError {
            return .failure(error)
        } catch {
            return .failure(.connectionLost)
        }
    }

    func close() { try? blockingWait { [pool] in await pool.close() } }
}

/// Runs `body` on the concurrent executor and waits for it on this synchronous command's thread.
func blockingWait<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
    let result = Locked<Result<Value, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let value = try await body()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

/// `--observe-expiry`: the target's `expired` keyspace events for the test's keys, on a subscribed connection
/// of their own, with `notify-keyspace-events` widened for the test and put back afterwards.
struct ExpiryWatch {
    let observer: ExpiryObserver
    let subscription: RedisConnection
    /// `notify-keyspace-events` before the test, restored at its end.
    let previousFlags: String
    let flags: String

    /// The flags with keyevent notifications (`E`) of expirations (`x`, also part of `A`) added.
    static func widened(_ flags: String) -> String {
        var widened = flags
        if !widened.contains("E") { widened += "E" }
        if !widened.contains("x"), !widened.contains("A") { widened += "x" }
        return widened
    }

    static func start(_ session: RedisSession) throws -> ExpiryWatch {
        let started = ContinuousClock.now
        let clock: @Sendable () -> Int64 = {
            let elapsed = ContinuousClock.now - started
            return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        }
        let observer = ExpiryObserver(keyPrefix: session.keyPrefix, clock: clock)
        let configuration = session.configuration
        do {
            return try blockingWait { [pool = session.pool] in
                let reply = try await pool.send(["CONFIG", "GET", "notify-keyspace-events"])
                guard let parts = reply.arrayValue, parts.count == 2, let previous = parts[1].stringValue else {
                    throw RedisTargetError.unexpectedReply(command: "CONFIG GET notify-keyspace-events", reply: reply)
                }
                let flags = widened(previous)
                _ = try await pool.send(["CONFIG", "SET", "notify-keyspace-events", flags])
                do {
                    let subscription = try await RedisConnection.subscribe(
                        to: configuration, pattern: "__keyevent@\(configuration.database)__:expired"
                    ) { _, key in
                        observer.received(key: key, atNanoseconds: clock())
                    }
                    return ExpiryWatch(
                        observer: observer, subscription: subscription, previousFlags: previous, flags: flags)
                } catch {
                    _ = try? await pool.send(["CONFIG", "SET", "notify-keyspace-events", previous])
                    throw error
                }
            }
        } catch let error as RedisTargetError {
            printError("error: --observe-expiry: \(RedisSession.url(configuration)): \(error)")
            RedisSession.printTLSHint(error, configuration)
            throw ExitCode(RedisSession.unavailable)
        }
    }

    /// Ends the subscription and puts the flags back; returns why restoring them failed, if it did.
    func stop(_ session: RedisSession) -> String? {
        do {
            try blockingWait { [pool = session.pool, subscription, previousFlags] in
                await subscription.close()
                _ = try await pool.send(["CONFIG", "SET", "notify-keyspace-events", previousFlags])
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}

/// The options that name a Redis server to run against, shared by `load` and `expiry-lag`.
struct RedisTargetOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also run against this Redis server (password also from REDIS_PASSWORD).",
            valueName: "redis[s]://[:password@]host:port[/db]"))
    var target: String?

    @Option(
        name: .customLong("key-prefix"),
        help: ArgumentHelp(
            "What every key written to --target starts with (default presence-sim:<run id>:).", valueName: "prefix"))
    var keyPrefix: String?

    @Flag(name: .customLong("allow-remote"), help: "Allow a --target that is not this machine.")
    var allowRemote = false

    @OptionGroup var tls: RedisTLSOptions

    /// Refuses, without `--target`, the options that need it: these, and the command's own `others` (their
    /// names), given when `othersGiven`. `use` names what the command runs, as in "a test".
    func requireTarget(for use: String, others: [String] = [], othersGiven: Bool = false) throws {
        guard target == nil, keyPrefix != nil || allowRemote || tls.caFile != nil || tls.insecure || othersGiven
        else { return }
        let names = ["--key-prefix", "--allow-remote", "--tls-ca", "--tls-insecure"] + others
        throw ValidationError(
            "\(names.dropLast().joined(separator: ", ")) and \(names[names.count - 1]) apply to \(use) with --target")
    }

    /// The `--target` server's configuration, checked (URL, TLS options, a loopback host unless
    /// `--allow-remote`, a non-empty prefix); nil without `--target`. `risk` says, for a remote host, what
    /// running against it does.
    func configuration(risk: String) throws -> RedisConfiguration? {
        guard let target else { return nil }
        var configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: target)
        } catch {
            throw ValidationError("--target: \(error)")
        }
        configuration = try tls.apply(to: configuration)
        guard configuration.isLoopback || allowRemote else {
            throw ValidationError(
                "--target: \(RedisSession.url(configuration)) is not this machine\(risk): add --allow-remote if that "
                    + "is what you want")
        }
        if let keyPrefix, keyPrefix.isEmpty {
            throw ValidationError("--key-prefix: expected a prefix such as presence-sim:test:, found an empty one")
        }
        return configuration
    }

    /// The prefix of the keys written to the target: `--key-prefix`, or one made for this run.
    var prefix: String { keyPrefix ?? RedisSession.defaultKeyPrefix() }
}

/// `--tls-ca` and `--tls-insecure`: how a `rediss://` target's certificate is verified.
struct RedisTLSOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-ca"),
        help: ArgumentHelp(
            "With a rediss:// --target: trust only the certificate authorities in this PEM file (default: the "
                + "system's trust roots).",
            valueName: "file"),
        completion: .file(extensions: ["pem", "crt"]))
    var caFile: String?

    @Flag(
        name: .customLong("tls-insecure"),
        help: ArgumentHelp(
            "With a rediss:// --target: accept any certificate, unverified. INSECURE: for a test server with a "
                + "self-signed certificate only."))
    var insecure = false

    /// `configuration` with the TLS options applied and the CA file read; a `ValidationError` (exit 64) for
    /// options that do not fit the URL or a CA file that cannot be used.
    func apply(to configuration: RedisConfiguration) throws -> RedisConfiguration {
        guard configuration.tls != nil else {
            if caFile != nil || insecure {
                throw ValidationError("--tls-ca and --tls-insecure apply to a rediss:// --target (Redis over TLS)")
            }
            return configuration
        }
        if caFile != nil, insecure {
            throw ValidationError("--tls-ca and --tls-insecure exclude each other: verify against a CA, or not at all")
        }
        var configured = configuration
        if let caFile {
            configured.tls = RedisTLS(verification: .certificateAuthorities(file: caFile))
        } else if insecure {
            configured.tls = RedisTLS(verification: .none)
        }
        do {
            try configured.tls?.validate()
        } catch {
            let option = caFile == nil ? "--target" : "--tls-ca"
            guard case .tlsConfiguration(let message) = error else { throw ValidationError("\(option): \(error)") }
            throw ValidationError("\(option): \(message)")
        }
        return configured
    }
}
