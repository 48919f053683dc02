import Foundation
import RedisTarget

/// A `redis-server` of the test's own, on a free loopback port, with its files in a temporary folder.
public struct RedisServer: Sendable {
    /// The loopback port the server listens on.
    public let port: Int
    /// The password the server requires (`--requirepass`), if any.
    public let password: String?
    /// The server's process id, for tests that kill it.
    public let processIdentifier: Int32
    /// For a server that speaks TLS only: the PEM file of the certificate authority that signed its
    /// certificate; nil for a server without TLS.
    public var caFile: String? = nil

    /// A configuration for this server, with its password, and with TLS verified against ``caFile`` for a
    /// TLS server.
    public func configuration() -> RedisConfiguration {
        RedisConfiguration(
            host: "127.0.0.1",
            port: self.port,
            password: self.password,
            // Generous: on a loaded machine (or under a sanitizer) a test's task can resume tens of seconds
            // after its reply arrived, and tests that are not about timeouts must not fail for it.
            connectTimeout: .seconds(120),
            commandTimeout: .seconds(120),
            tls: self.caFile.map { RedisTLS(verification: .certificateAuthorities(file: $0)) }
        )
    }

    /// A connection to this server with its password.
    public func connect() async throws -> RedisConnection {
        try await RedisConnection.connect(to: self.configuration())
    }
}

/// Why a test's server could not be started.
public struct RedisServerError: Error, CustomStringConvertible {
    public let description: String
}

/// Starts a `redis-server` for `body` and stops it afterwards, whether `body` returns or throws.
///
/// The server saves nothing (`--save '' --appendonly no`) and listens on 127.0.0.1 only. When `redis-server` is
/// not installed this throws, so that the test fails and says how to install it: CI installs it (`.ci/run`), and
/// a test that skipped would hide a missing install step.
///
/// With `tls`, the server speaks TLS only (`--port 0 --tls-port P`), with a certificate for
/// `certificateNames` (by default 127.0.0.1 and localhost) signed by a certificate authority made for this
/// server alone with the `openssl` command (see ``opensslAvailable``); its PEM file is ``RedisServer/caFile``,
/// in the server's folder, which is removed afterwards. Clients need no certificate of their own (`--tls-auth-clients no`).
public func withRedisServer<Result>(
    password: String? = nil,
    tls: Bool = false,
    certificateNames: String = "IP:127.0.0.1, DNS:localhost",
    _ body: (RedisServer) async throws -> Result
) async throws -> Result {
    let executable = try redisServerExecutable()
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("redis-target-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let certificates = tls ? try TestCertificates(in: directory, names: certificateNames) : nil

    // The reservation keeps other tests' servers off the port until this one listens on it; should something
    // outside the tests take it all the same, the server exits and another port is tried.
    var lastFailure = ""
    for _ in 0..<5 {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let port = reservation.port
        let log = directory.appendingPathComponent("redis.log")
        let ports =
            certificates.map { certificates in
                [
                    "--port", "0", "--tls-port", String(port), "--tls-cert-file", certificates.serverCertificate,
                    "--tls-key-file", certificates.serverKey, "--tls-ca-cert-file", certificates.caFile,
                    "--tls-auth-clients", "no",
                ]
            } ?? ["--port", String(port)]
        let process = try ChildProcess(
            executable: executable,
            arguments: ports + [
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path, "--logfile",
                log.path,
            ] + (password.map { ["--requirepass", $0] } ?? [])
        )
        let server = RedisServer(
            port: port, password: password, processIdentifier: process.processIdentifier,
            caFile: certificates?.caFile)
        if await waitUntilAnswering(server, process: process) {
            do {
                let result = try await body(server)
                await process.terminate()
                return result
            } catch {
                await process.terminate()
                throw error
            }
        }
        await process.terminate()
        lastFailure = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }
    throw RedisServerError(description: "redis-server did not start; its log:\n\(lastFailure)")
}

private func redisServerExecutable() throws -> String {
    try executable("redis-server", debianPackage: "redis-server")
}

/// The path of the `name` command: on `PATH`, or in /usr/bin; an error saying how to install it otherwise.
private func executable(_ name: String, debianPackage: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw RedisServerError(
            description:
                "\(name) is not on PATH nor at /usr/bin/\(name): install it (Debian: apt-get install -y "
                + "\(debianPackage)); .ci/run installs it when missing"
        )
    }
    return found
}

/// Whether the tests that need the `openssl` command (to make a TLS server's certificates) can run: it is
/// installed, or this is CI (`CI=true`), which MUST have it, so that there a missing one fails the test instead
/// of skipping it.
public let opensslAvailable: Bool = {
    if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
    return (try? opensslExecutable()) != nil
}()

private func opensslExecutable() throws -> String { try executable("openssl", debianPackage: "openssl") }

/// A certificate authority and a server certificate it signed, for `names` (a `subjectAltName` value), valid
/// for a day, made with the `openssl` command in `directory`.
struct TestCertificates {
    let caFile: String
    let serverCertificate: String
    let serverKey: String

    init(in directory: URL, names: String) throws {
        let openssl = try opensslExecutable()
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        self.caFile = file("ca.pem")
        self.serverCertificate = file("server.pem")
        self.serverKey = file("server.key")
        let extensions = file("server.ext")
        try Data(
            """
            subjectAltName = \(names)
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth

            """.utf8
        ).write(to: URL(fileURLWithPath: extensions))
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for arguments in [
            ["req", "-x509"] + key + [
                "-keyout", file("ca.key"), "-out", self.caFile, "-days", "1", "-subj", "/CN=presence-sim test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            ["req", "-new"] + key + [
                "-keyout", self.serverKey, "-out", file("server.csr"), "-subj", "/CN=localhost",
            ],
            [
                "x509", "-req", "-in", file("server.csr"), "-CA", self.caFile, "-CAkey", file("ca.key"),
                "-CAcreateserial", "-out", self.serverCertificate, "-days", "1", "-extfile", extensions,
            ],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw RedisServerError(
                    description: "openssl \(arguments.joined(separator: " ")) failed:\n"
                        + String(decoding: message, as: UTF8.self))
            }
        }
    }
}

/// A loopback TCP port bound, not listening, with `SO_REUSEADDR`, until released.
///
/// While it is held, nothing else is given the port for `bind(port: 0)`, and a connection to it is refused. A
/// server that also sets `SO_REUSEADDR`, as redis-server does, can still bind the port and listen on it (Linux
/// lets sockets with that option share a port while none of them listens).
public final class PortReservation {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw RedisServerError(description: "socket(): \(String(cString: strerror(errno)))")
        }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw RedisServerError(description: "bind to a loopback port: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func release() {
        close(self.descriptor)
    }
}

/// Waits up to 60 s (a loaded machine starts processes slowly) for the server to answer, and checks that it is
/// this process (`INFO server`'s `process_id`); false if it exits or never answers. Its certificate is not
/// checked here: a test may give it one that its clients must refuse.
private func waitUntilAnswering(_ server: RedisServer, process: ChildProcess) async -> Bool {
    var configuration = server.configuration()
    configuration.connectTimeout = .seconds(2)
    if configuration.tls != nil { configuration.tls = RedisTLS(verification: .none) }
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        guard process.isRunning else {
            return false
        }
        if let connection = try? await RedisConnection.connect(to: configuration) {
            let info = try? await connection.info(section: "server")
            await connection.close()
            if info?["process_id"] == String(process.processIdentifier) {
                return true
            }
        }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// A child process started with `posix_spawn`, with no signal blocked and the usual ones at their defaults.
///
/// Foundation's `Process` passes the test runner's signal mask on, in which SIGTERM is blocked: a redis-server
/// started that way ignores SIGTERM.
final class ChildProcess {
    let processIdentifier: pid_t
    private var exited = false

    init(executable: String, arguments: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") }
        defer { (argv + environment).forEach { free($0) } }
        var processIdentifier = pid_t()
        let status = posix_spawn(&processIdentifier, executable, nil, &attributes, argv + [nil], environment + [nil])
        guard status == 0 else {
            throw RedisServerError(description: "could not start \(executable): \(String(cString: strerror(status)))")
        }
        self.processIdentifier = processIdentifier
    }

    /// Whether the process has not exited; reaps it once it has.
    var isRunning: Bool {
        if !self.exited {
            var status: Int32 = 0
            self.exited = waitpid(self.processIdentifier, &status, WNOHANG) == self.processIdentifier
        }
        return !self.exited
    }

    /// SIGTERM, then SIGKILL if the process has not exited within 5 s; returns once it has exited.
    func terminate() async {
        guard self.isRunning else {
            return
        }
        kill(self.processIdentifier, SIGTERM)
        for _ in 0..<500 where self.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if self.isRunning {
            kill(self.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(self.processIdentifier, &status, 0)
            self.exited = true
        }
    }
}
