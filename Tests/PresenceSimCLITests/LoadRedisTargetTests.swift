import Foundation
import RedisTarget
import RedisTestSupport
import Scenario
import Testing

/// `presence-sim load --target` against a redis-server each test starts, and the refusals that come before
/// any connection. One at a time: each test already runs a load test on every core.
@Suite(.serialized) struct LoadRedisTargetTests {
    private func loadJSON(_ folder: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/load.json"))))
    }

    /// The keys starting with `prefix` on the server.
    private func keys(_ server: RedisServer, prefix: String) async throws -> [String] {
        let connection = try await server.connect()
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await connection.send(["SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"])
            cursor = reply.arrayValue?[0].stringValue ?? "0"
            keys += reply.arrayValue?[1].arrayValue?.compactMap(\.stringValue) ?? []
        } while cursor != "0"
        await connection.close()
        return keys
    }

    /// A short test of `scenario` against `server`, its keys under `prefix`.
    private func load(_ scenario: String, _ server: RedisServer, prefix: String, out: String, url: String? = nil)
        throws -> Result
    {
        try presenceSim([
            "load", scenario, "--set", "clients=300", "--speed", "30", "--duration", "2s", "--shards", "2",
            "--target", url ?? "redis://127.0.0.1:\(server.port)", "--key-prefix", prefix, "--out", out,
        ])
    }

    /// Design A end to end, through a password in the URL: operations were achieved against Redis, the report
    /// names the server, the password appears nowhere, and no key of the test remains.
    @Test func designADrivesRedisAndLeavesNoKey() async throws {
        try await withRedisServer(password: "pw-not-shown") { server in
            let out = temporaryFolder()
            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let result = try load(
                "Scenarios/family-chat.json", server, prefix: prefix, out: out,
                url: "redis://:pw-not-shown@127.0.0.1:\(server.port)")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Redis target"))
            let report = try loadJSON(out)
            #expect(report["complete"]?.boolValue == true)
            let target = try #require(report["target"])
            #expect(target["redisVersion"]?.stringValue?.isEmpty == false)
            #expect(target["url"]?.stringValue == "redis://127.0.0.1:\(server.port)/0")
            #expect(target["connections"]?.doubleValue == 4)
            #expect((target["usedMemory"]?["before"]?.doubleValue ?? 0) > 0)
            #expect((target["keysDeleted"]?.doubleValue ?? 0) > 0)
            let operations = try #require(report["runs"]?[0]?["operations"])
            for kind in ["heartbeat", "join"] {
                let achieved = operations[kind]?["achieved"]?.doubleValue ?? 0
                #expect(achieved > 0, "\(kind)")
                #expect(achieved >= 0.95 * (operations[kind]?["offered"]?.doubleValue ?? 0), "\(kind)")
                #expect((operations[kind]?["latency"]?["p99"]?.doubleValue ?? 0) > 0, "\(kind)")
            }
            for file in ["load.json", "load.md", "load.html"] {
                let text = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
                #expect(!text.contains("pw-not-shown"), "\(file)")
            }
            #expect(!(result.stdout + result.stderr).contains("pw-not-shown"))
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    /// Design B end to end: heartbeats, joins and the polls' reads were achieved against Redis, and no key of
    /// the test remains.
    @Test func designBDrivesRedisAndLeavesNoKey() async throws {
        try await withRedisServer { server in
            let out = temporaryFolder()
            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let result = try load("Scenarios/http-polling.json", server, prefix: prefix, out: out)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try loadJSON(out)
            #expect(report["target"]?["redisVersion"]?.stringValue?.isEmpty == false)
            #expect(report["target"]?["errors"]?.objectValue?.isEmpty == true)
            let operations = try #require(report["runs"]?[0]?["operations"])
            for kind in ["heartbeat", "join", "read"] {
                #expect((operations[kind]?["achieved"]?.doubleValue ?? 0) > 0, "\(kind)")
            }
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    /// A client in three rooms joins each room's set: every join the tester offered is one `SADD` on the real
    /// server, three per client. A population like this runs on one core shard, and `--shards 2` says why.
    @Test func aClientInSeveralRoomsJoinsEveryRoom() async throws {
        try await withRedisServer { server in
            let file = temporaryFolder() + ".json"
            try Data(
                """
                {"name": "rooms", "seed": 4, "duration": "10m", "clients": 200, "rooms": {"size": 4, "perClient": 3},
                 "protocol": {"design": "http-polling"}, "behavior": {"online": "never", "offline": "never"}}
                """.utf8
            ).write(to: URL(fileURLWithPath: file))
            let out = temporaryFolder()
            let arguments = [
                "load", file, "--speed", "30", "--duration", "3s", "--target", "redis://127.0.0.1:\(server.port)",
                "--key-prefix", "presence-sim-test:\(UUID().uuidString):", "--out", out,
            ]
            let result = try presenceSim(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let join = try #require(try loadJSON(out)["runs"]?[0]?["operations"]?["join"])
            let offered = Int(join["offered"]?.doubleValue ?? 0)
            let achieved = Int(join["achieved"]?.doubleValue ?? 0)
            let connection = try await server.connect()
            let stats = try await connection.send(["INFO", "commandstats"]).stringValue ?? ""
            await connection.close()
            let calls =
                stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_sadd:") }
                .flatMap { $0.split(separator: ",").first?.split(separator: "=").last }.flatMap { Int($0) } ?? 0
            // A client's three joins leave together when it arrives (all 200 arrive within the first simulated
            // minute, 2 s at 30×): a multiple of three, more than one per client, each a SADD on the server.
            #expect(offered % 3 == 0 && offered > 200 && offered <= 600, "joins offered: \(offered)")
            #expect(achieved <= calls && calls <= offered, "SADD calls \(calls), joins \(achieved) of \(offered)")
            let refused = try presenceSim(arguments + ["--shards", "2"])
            #expect(refused.status == 64 && refused.stderr.contains("rooms.perClient"), "\(refused.stderr)")
        }
    }

    /// Error replies are counted by kind; once more than 5% of the operations failed, the test stops with a
    /// partial report marked incomplete and exits 69. Here every family set is already a string.
    @Test func errorRepliesStopTheTestWithAPartialReport() async throws {
        try await withRedisServer { server in
            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let connection = try await server.connect()
            _ = try await connection.pipeline((0..<300).map { ["SET", prefix + "presence:family:\($0)", "x"] })
            await connection.close()
            let out = temporaryFolder()
            let result = try load("Scenarios/family-chat.json", server, prefix: prefix, out: out)
            #expect(result.status == 69, "\(result.stderr)")
            #expect(result.stderr.contains("the test stopped early") && result.stderr.contains("WRONGTYPE"))
            let report = try loadJSON(out)
            #expect(report["complete"]?.boolValue == false)
            #expect((report["target"]?["errors"]?["WRONGTYPE"]?.doubleValue ?? 0) >= 20)
            #expect(report["runs"]?[0]?["targetStopReason"]?.stringValue?.contains("WRONGTYPE") == true)
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    /// The server going away mid-test: the lost connection is counted, the test ends and the report is
    /// written, marked incomplete.
    @Test func aServerThatGoesAwayEndsTheTest() async throws {
        try await withRedisServer { server in
            let out = temporaryFolder()
            let process = try start([
                "load", "Scenarios/http-polling.json", "--set", "clients=300", "--speed", "30", "--duration", "20s",
                "--shards", "2", "--target", "redis://127.0.0.1:\(server.port)", "--out", out,
            ])
            try await Task.sleep(for: .seconds(1.5))
            kill(server.processIdentifier, SIGKILL)
            let watchdog = terminate(process, after: .seconds(120))
            process.waitUntilExit()
            watchdog.cancel()
            #expect(process.terminationStatus == 69)
            let report = try loadJSON(out)
            #expect(report["complete"]?.boolValue == false)
            // Ended by the lost server, before the 20 s at 30× (600 simulated seconds) it was given.
            let run = report["runs"]?[0]
            #expect(run?["targetStopReason"]?.stringValue != nil)
            #expect((run?["simulatedSeconds"]?.doubleValue ?? .infinity) < 600)
            #expect((report["target"]?["errors"]?["connection lost"]?.doubleValue ?? 0) >= 20)
            #expect(report["target"]?["cleanupError"]?.stringValue != nil)
        }
    }

    /// Ctrl-C stops the test, and its keys are still deleted before the command exits 130.
    @Test func ctrlCStillDeletesTheKeys() async throws {
        try await withRedisServer { server in
            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let out = temporaryFolder()
            let process = try start([
                "load", "Scenarios/family-chat.json", "--set", "clients=300", "--speed", "30", "--duration", "20s",
                "--target", "redis://127.0.0.1:\(server.port)", "--key-prefix", prefix, "--out", out,
            ])
            try await Task.sleep(for: .seconds(1.5))
            #expect(try await !keys(server, prefix: prefix).isEmpty)
            process.interrupt()
            process.waitUntilExit()
            #expect(process.terminationStatus == 130)
            #expect(try loadJSON(out)["complete"]?.boolValue == false)
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    @Test func targetOptionsNeedATarget() throws {
        let result = try presenceSim(["load", "Scenarios/family-chat.json", "--key-prefix", "x:"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("apply to a test with --target"))
    }

    @Test func designCIsRefused() throws {
        let result = try presenceSim(["load", "Scenarios/ttl-entries.json", "--target", "redis://127.0.0.1:1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("design ttl-entries keeps its entries in its own server, not in Redis"))
        // Found once the scenario is read: the message points at this command's help, not the root's usage.
        #expect(result.stderr.contains("See 'presence-sim load --help'") && !result.stderr.contains("<subcommand>"))
    }

    @Test func anUnreachablePortExits69BeforeTheTest() throws {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let out = temporaryFolder()
        let result = try presenceSim([
            "load", "Scenarios/family-chat.json", "--target", "redis://127.0.0.1:\(reservation.port)", "--out", out,
        ])
        #expect(result.status == 69)
        #expect(result.stderr.contains("connection refused by 127.0.0.1:\(reservation.port)"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aMissingOrWrongPasswordExits64AndREDISPASSWORDIsUsed() async throws {
        try await withRedisServer(password: "right") { server in
            let missing = try presenceSim([
                "load", "Scenarios/family-chat.json", "--target", "redis://127.0.0.1:\(server.port)",
            ])
            #expect(missing.status == 64)
            #expect(missing.stderr.contains("NOAUTH"))
            let wrong = try presenceSim([
                "load", "Scenarios/family-chat.json", "--target", "redis://:wrong@127.0.0.1:\(server.port)",
            ])
            #expect(wrong.status == 64)
            #expect(wrong.stderr.contains("refused the credentials") && !wrong.stderr.contains(":wrong@"))
            // The password from the environment instead of the URL.
            let fromEnvironment = try execute(
                binary,
                [
                    "load", "Scenarios/family-chat.json", "--set", "clients=100", "--duration", "1s",
                    "--target", "redis://127.0.0.1:\(server.port)", "--out", temporaryFolder(),
                ], in: repository, environment: ["REDIS_PASSWORD": "right"])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
            #expect(!(fromEnvironment.stdout + fromEnvironment.stderr).contains("right@"))
        }
    }

    /// A host that is not this machine is refused before any connection: 10.255.255.1 is never dialled (a
    /// connection attempt would end in the connect timeout's message, exit 69).
    @Test func aRemoteHostNeedsAllowRemote() throws {
        let result = try presenceSim(["load", "Scenarios/family-chat.json", "--target", "redis://10.255.255.1:6379"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("is not this machine") && result.stderr.contains("--allow-remote"))
        #expect(!result.stderr.contains("within"))
    }

    // MARK: rediss://

    /// Design A over TLS, verified against the test server's CA: the test completes, the report shows the
    /// rediss:// URL without the password, and no key of the test remains.
    @Test(.enabled(if: opensslAvailable, "openssl is not installed"))
    func designAOverTLSWithItsCA() async throws {
        try await withRedisServer(password: "pw-not-shown", tls: true) { server in
            let out = temporaryFolder()
            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let result = try presenceSim([
                "load", "Scenarios/family-chat.json", "--set", "clients=100", "--speed", "30", "--duration", "2s",
                "--shards", "1", "--target", "rediss://:pw-not-shown@127.0.0.1:\(server.port)",
                "--tls-ca", try #require(server.caFile), "--key-prefix", prefix, "--out", out,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try loadJSON(out)
            #expect(report["complete"]?.boolValue == true)
            #expect(report["target"]?["url"]?.stringValue == "rediss://127.0.0.1:\(server.port)/0")
            #expect((report["target"]?["keysDeleted"]?.doubleValue ?? 0) > 0)
            #expect((report["runs"]?[0]?["operations"]?["heartbeat"]?["achieved"]?.doubleValue ?? 0) > 0)
            #expect(!(result.stdout + result.stderr).contains("pw-not-shown"))
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    /// Without --tls-ca the system's trust roots do not trust the test's CA: exit 69 with the host, the TLS
    /// reason and what to do, and no report; --tls-insecure accepts the certificate.
    @Test(.enabled(if: opensslAvailable, "openssl is not installed"))
    func anUntrustedCertificateExits69AndTLSInsecureAcceptsIt() async throws {
        try await withRedisServer(tls: true) { server in
            let out = temporaryFolder()
            let target = "rediss://127.0.0.1:\(server.port)"
            let untrusted = try presenceSim(["load", "Scenarios/family-chat.json", "--target", target, "--out", out])
            #expect(untrusted.status == 69, "\(untrusted.stderr)")
            #expect(
                untrusted.stderr.contains("TLS handshake with 127.0.0.1:\(server.port) failed"), "\(untrusted.stderr)")
            #expect(untrusted.stderr.contains("certificate verify failed"), "\(untrusted.stderr)")
            #expect(untrusted.stderr.contains("--tls-ca"), "\(untrusted.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))

            let prefix = "presence-sim-test:\(UUID().uuidString):"
            let insecure = try presenceSim([
                "load", "Scenarios/family-chat.json", "--set", "clients=100", "--duration", "1s", "--shards", "1",
                "--target", target, "--tls-insecure", "--key-prefix", prefix, "--out", out,
            ])
            #expect(insecure.status == 0, "\(insecure.stderr)")
            #expect(try await keys(server, prefix: prefix).isEmpty)
        }
    }

    /// rediss:// to a server without TLS exits 69 when the connect timeout (3 s) ends the handshake, saying
    /// TLS failed. A hang would be terminated after two minutes, with another status.
    @Test func aRedissURLToAPlainServerExits69WithoutHanging() async throws {
        try await withRedisServer { server in
            let result = try presenceSim(
                [
                    "load", "Scenarios/family-chat.json", "--target", "rediss://127.0.0.1:\(server.port)",
                    "--tls-insecure", "--out", temporaryFolder(),
                ], limit: .seconds(120))
            #expect(result.status == 69, "\(result.stderr)")
            #expect(result.stderr.contains("TLS handshake with 127.0.0.1:\(server.port) failed"), "\(result.stderr)")
        }
    }

    /// A CA file that is not there, TLS options on a redis:// URL, or both TLS options: exit 64, before any
    /// connection.
    @Test func badTLSOptionsExit64() throws {
        let missing = "/nonexistent/\(UUID().uuidString).pem"
        for (arguments, message) in [
            (["--target", "rediss://127.0.0.1:1", "--tls-ca", missing], "cannot read the CA file \(missing)"),
            (["--target", "redis://127.0.0.1:1", "--tls-insecure"], "apply to a rediss:// --target"),
            (["--target", "rediss://127.0.0.1:1", "--tls-ca", missing, "--tls-insecure"], "exclude each other"),
            (["--tls-insecure"], "apply to a test with --target"),
        ] {
            let result = try presenceSim(["load", "Scenarios/family-chat.json"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            let lag = try presenceSim(["expiry-lag"] + arguments)
            #expect(lag.status == 64, "\(arguments): \(lag.stderr)")
        }
    }

    /// `expiry-lag --target rediss://` measures over TLS, its keyspace-event subscription included.
    @Test(.enabled(if: opensslAvailable, "openssl is not installed"))
    func expiryLagOverTLS() async throws {
        try await withRedisServer(tls: true) { server in
            let result = try presenceSim([
                "expiry-lag", "--others", "200", "--probes", "20", "--ttl", "200ms", "--window", "10s",
                "--target", "rediss://localhost:\(server.port)", "--tls-ca", try #require(server.caFile),
                "--format", "json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONValue.parse(Array(result.stdout.utf8))
            #expect(report["redis"]?["notReceived"]?.doubleValue == 0)
        }
    }
}
