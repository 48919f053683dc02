import Foundation
import RedisTarget
import RedisTestSupport
import Scenario
import Testing

/// The `"redis"` expiry model against a real redis-server, `load --observe-expiry`, and `load --ramp` with a
/// Redis target, each against a server the test starts.
@Suite(.serialized) struct RedisExpiryTargetTests {
    private func json(_ result: Result) throws -> JSONValue { try JSONValue.parse(Array(result.stdout.utf8)) }

    private func flags(_ server: RedisServer) async throws -> String? {
        let connection = try await server.connect()
        let reply = try await connection.send(["CONFIG", "GET", "notify-keyspace-events"])
        await connection.close()
        return reply.arrayValue?[1].stringValue
    }

    /// 200 probes expiring together among 2,000 keys that live for an hour, on a server with hz 50 (so a pass
    /// of the active cycle over the 2,200 keys takes about 2 s and the test a few seconds): the model's median
    /// and p90 lag, averaged over five seeds, are within 35 % of the server's, and both find every probe.
    ///
    /// Why 35 %: with 200 probes a measured median has a standard error of about 7 % (a lag is near uniform
    /// over one pass: √(0.25 / 200) of the pass, twice that of the median), the model's median moves by about
    /// 8 % between seeds (where the probes fall in the scan), and the server scans whole hash buckets, a few
    /// percent more keys a loop than the model's 20: about 11 % together at one standard deviation, so 35 % is
    /// about three.
    @Test func theModelIsWithinToleranceOfTheServer() async throws {
        try await withRedisServer { server in
            let connection = try await server.connect()
            _ = try await connection.send(["CONFIG", "SET", "hz", "50"])
            await connection.close()
            let population = ["--others", "2000", "--probes", "200", "--ttl", "500ms", "--window", "10s"]
            let measured = try presenceSim(
                ["expiry-lag"] + population + ["--target", "redis://127.0.0.1:\(server.port)", "--format", "json"])
            #expect(measured.status == 0, "\(measured.stderr)")
            let report = try json(measured)
            #expect(report["hz"]?.doubleValue == 50)
            let real = try #require(report["redis"])
            #expect(real["notReceived"]?.doubleValue == 0)
            var medians: [Double] = []
            var p90s: [Double] = []
            for seed in 1...5 {
                let model = try json(
                    try presenceSim(
                        ["expiry-lag"] + population + ["--hz", "50", "--seed", String(seed), "--format", "json"]))
                #expect(model["model"]?["notReceived"]?.doubleValue == 0)
                medians.append(model["model"]?["p50"]?.doubleValue ?? .nan)
                p90s.append(model["model"]?["p90"]?.doubleValue ?? .nan)
            }
            let median = medians.reduce(0, +) / 5
            let p90 = p90s.reduce(0, +) / 5
            let realMedian = try #require(real["p50"]?.doubleValue)
            let realP90 = try #require(real["p90"]?.doubleValue)
            #expect(abs(median - realMedian) <= 0.35 * realMedian, "model \(median) s, server \(realMedian) s")
            #expect(abs(p90 - realP90) <= 0.35 * realP90, "model \(p90) s, server \(realP90) s")
            #expect(try await flags(server) == "")
        }
    }

    /// `--observe-expiry`: the report carries the lag of the server's `expired` events for the test's keys,
    /// and the server's notify-keyspace-events is put back.
    @Test func observeExpiryReportsTheLagAndPutsTheSettingBack() async throws {
        try await withRedisServer { server in
            let connection = try await server.connect()
            _ = try await connection.send(["CONFIG", "SET", "notify-keyspace-events", "Kg"])
            await connection.close()
            let out = temporaryFolder()
            // At 60× a 60 s TTL is 1 s of wall-clock time: vanished clients' keys expire within the test.
            let result = try presenceSim([
                "load", "Scenarios/family-chat.json", "--set", "clients=300", "--speed", "60", "--duration", "4s",
                "--shards", "1", "--target", "redis://127.0.0.1:\(server.port)", "--observe-expiry", "--out", out,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/load.json"))))
            let expiry = try #require(report["target"]?["expiryNotifications"])
            #expect((expiry["lag"]?["count"]?.doubleValue ?? 0) > 0)
            #expect((expiry["lag"]?["p50"]?.doubleValue ?? -1) >= 0)
            #expect(expiry["unmatched"]?.doubleValue == 0)
            // Redis spells the flags its own way ("Kg" reads back as "gK").
            #expect(expiry["notifyKeyspaceEvents"]?.stringValue == "gKEx")
            #expect(expiry["previousNotifyKeyspaceEvents"]?.stringValue == "gK")
            #expect(result.stdout.contains("expired events"))
            #expect(try await flags(server) == "gK")
        }
    }

    @Test func observeExpiryNeedsATarget() throws {
        let result = try presenceSim(["load", "Scenarios/family-chat.json", "--observe-expiry"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("apply to a test with --target"))
    }

    /// `--ramp` against Redis: with bounds a loaded machine meets, every judged step is sustained, and the
    /// report names the fastest as the capacity, with the operations Redis answered.
    @Test func aRampAgainstRedisFindsASustainedStep() async throws {
        try await withRedisServer { server in
            let out = temporaryFolder()
            let result = try presenceSim([
                "load", "Scenarios/family-chat.json", "--set", "clients=200", "--ramp", "--shards", "1", "--speed", "5",
                "--step", "1s", "--max-steps", "3", "--max-lag", "2s", "--max-latency", "2s",
                "--target", "redis://127.0.0.1:\(server.port)", "--out", out, "--format", "json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONValue.parse(Array(result.stdout.utf8))
            #expect(report["mode"]?["kind"]?.stringValue == "ramp")
            let run = try #require(report["runs"]?[0])
            #expect(run["steps"]?.arrayValue?.count == 3)
            let capacity = try #require(run["capacity"])
            #expect(capacity["index"]?.doubleValue == 2)
            #expect((capacity["speed"]?.doubleValue ?? 0) > 5)
            #expect((capacity["achievedPerSecond"]?.doubleValue ?? 0) > 0)
            #expect(run["errors"]?.objectValue?.isEmpty == true)
            #expect(report["target"]?["redisVersion"]?.stringValue?.isEmpty == false)
        }
    }
}

/// `expiry-lag` refuses bad input before it connects anywhere.
@Suite struct ExpiryLagCommandTests {
    @Test(arguments: [
        (["--hz", "0"], "--hz: expected 1 to 500"), (["--effort", "11"], "--effort: expected 1 to 10"),
        (["--probes", "0"], "--probes"), (["--ttl", "2"], "--ttl"),
        (["--hz", "20", "--target", "redis://127.0.0.1:1"], "with --target the server's own are used"),
        (["--key-prefix", "x:"], "apply to a measurement with --target"),
        (["--target", "redis://10.255.255.1:6379"], "is not this machine"),
    ])
    func badInputExits64(arguments: [String], message: String) throws {
        let result = try presenceSim(["expiry-lag"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// The model alone, as JSON: every probe found among few other keys, within a pass of the cursor.
    @Test func theModelAloneAnswersAtOnce() throws {
        let result = try presenceSim([
            "expiry-lag", "--others", "1000", "--probes", "100", "--window", "30s", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(report["model"]?["notReceived"]?.doubleValue == 0)
        // 1,100 keys at 20 a loop, 10 loops a second or a few more: a pass is at most 5.5 s.
        #expect((report["model"]?["max"]?.doubleValue ?? 99) <= 5.6)
        #expect(report["redis"] == nil)
    }
}
