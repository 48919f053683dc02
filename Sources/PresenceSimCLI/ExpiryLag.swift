import ArgumentParser
import Foundation
import PresenceCore
import RedisTarget
import Reporting
import Scenario
import Simulation

struct ExpiryLag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiry-lag",
        abstract:
            "How late Redis announces expired keys among many others: the \"redis\" expiry model, and a real server.",
        discussion: """
            Writes --others keys that live long (--others-ttl) and --probes keys that all expire --ttl after \
            they were written, and measures each probe's lag from its deadline to its deletion, up to --window \
            after the deadline: in the "redis" expiry model of protocol.expiry (--hz, --effort), and, with \
            --target, on that Redis server, from its `expired` keyspace events. Nothing reads a probe, so only \
            Redis's active-expiry cycle finds them.

            With --target the model uses the server's own hz and active-expire-effort (CONFIG GET). The \
            measurement sets notify-keyspace-events to include E and x for its duration (CONFIG SET) and \
            puts the previous value back; its keys start with --key-prefix and are deleted at the end. A \
            host other than this machine needs --allow-remote. A rediss:// target is reached over TLS \
            (--tls-ca FILE for the CAs to trust instead of the system's; --tls-insecure, for a test server \
            with a self-signed certificate only, skips verification).

            Examples:
              presence-sim expiry-lag --others 10000 --probes 1000
              presence-sim expiry-lag --others 10000 --probes 1000 --target redis://127.0.0.1:6379
              presence-sim expiry-lag --others 100000 --probes 1000 --window 180s --target redis://127.0.0.1:6379
              presence-sim expiry-lag --others 10000 --probes 1000 --target rediss://localhost:6380 --tls-ca ca.pem

            Exit codes: 0 ok · 64 bad input · 69 the Redis target cannot be reached or failed.
            """
    )

    @Option(help: "Keys with a long TTL besides the probes.")
    var others: Int = 10_000

    @Option(help: "Keys that expire together.")
    var probes: Int = 1000

    @Option(help: ArgumentHelp("The probes' TTL.", valueName: "duration"))
    var ttl: String = "2s"

    @Option(name: .customLong("others-ttl"), help: ArgumentHelp("The other keys' TTL.", valueName: "duration"))
    var othersTTL: String = "1h"

    @Option(help: ArgumentHelp("How long after the deadline to wait for the probes.", valueName: "duration"))
    var window: String = "60s"

    @Option(help: "The model's active-expiry cycles a second (without --target).")
    var hz: Int?

    @Option(help: "The model's active-expire-effort (without --target).")
    var effort: Int?

    @Option(help: "The model's seed.")
    var seed: UInt64 = 1

    @OptionGroup(title: "Redis target") var redisTarget: RedisTargetOptions

    @Option(help: "What to print: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard (0...10_000_000).contains(others) else {
            throw ValidationError("--others: expected 0 to 10000000, found \(others)")
        }
        guard (1...1_000_000).contains(probes) else {
            throw ValidationError("--probes: expected 1 to 1000000, found \(probes)")
        }
        if let hz, !RedisExpiry.allowedHz.contains(hz) { throw ValidationError("--hz: expected 1 to 500, found \(hz)") }
        if let effort, !RedisExpiry.allowedEffort.contains(effort) {
            throw ValidationError("--effort: expected 1 to 10, found \(effort)")
        }
        if redisTarget.target != nil, hz != nil || effort != nil {
            throw ValidationError("--hz and --effort set the model alone; with --target the server's own are used")
        }
        try redisTarget.requireTarget(for: "a measurement")
        _ = try probe()
        _ = try redisConfiguration()
    }

    func probe() throws -> ExpiryLagProbe {
        let ttl = try Load.interval(self.ttl, option: "--ttl", within: 0.001...86_400)
        let othersTTL = try Load.interval(self.othersTTL, option: "--others-ttl", within: 0.001...(365 * 86_400))
        let window = try Load.interval(self.window, option: "--window", within: 0.001...86_400)
        return ExpiryLagProbe(
            others: others, probes: probes, probeTTL: Interval(seconds: ttl), othersTTL: Interval(seconds: othersTTL),
            window: Interval(seconds: window), seed: seed)
    }

    func redisConfiguration() throws -> RedisConfiguration? { try redisTarget.configuration(risk: "") }

    func run() throws {
        let probe = try probe()
        var redis = RedisExpiry(hz: hz ?? 10, effort: effort ?? 1)
        var measured: ExpiryLagProbe.Outcome?
        var version: String?
        if let configuration = try redisConfiguration() {
            let prefix = redisTarget.prefix
            do {
                let (settings, serverVersion, outcome) = try blockingWait {
                    let client = try await RedisConnection.connect(to: configuration)
                    do {
                        let settings = try await ExpiryLagProbe.settings(of: client)
                        let serverVersion = try await client.info(section: "server").redisVersion
                        await client.close()
                        return (settings, serverVersion, try await probe.measure(configuration, keyPrefix: prefix))
                    } catch {
                        await client.close()
                        throw error
                    }
                }
                redis = settings
                version = serverVersion
                measured = outcome
            } catch let error as RedisTargetError {
                printError("error: --target \(RedisSession.url(configuration)): \(error)")
                RedisSession.printTLSHint(error, configuration)
                throw ExitCode(RedisSession.unavailable)
            }
        }
        let model = probe.model(redis)
        switch format {
        case .json:
            var fields: [(String, JSONValue)] = [
                ("others", JSONValue(others)), ("probes", JSONValue(probes)), ("ttl", .string(ttl)),
                ("window", .string(window)), ("hz", JSONValue(redis.hz)), ("effort", JSONValue(redis.effort)),
                ("model", Self.json(model)),
            ]
            if let measured {
                fields.append(("redis", Self.json(measured)))
                fields.append(("redisVersion", version.map { JSONValue($0) } ?? .null))
            }
            print(JSONValue(object: fields).serialized())
        case .text:
            var rows = [Self.row("model (\"redis\" expiry, hz \(redis.hz), effort \(redis.effort))", model)]
            if let measured { rows.append(Self.row("redis-server \(version ?? "")", measured)) }
            let table = ReportTable(
                title:
                    "Expiry lag: \(Format.grouped(probes)) probes expiring together among \(Format.grouped(others)) "
                    + "other keys, window \(window)",
                header: ["", "p50", "p90", "max", "not within the window"], rows: rows)
            print(TextRenderer(colour: false).render(table))
        }
    }

    private static func text(_ lag: Double?) -> String { lag.map { Format.seconds($0) } ?? "–" }

    private static func row(_ label: String, _ outcome: ExpiryLagProbe.Outcome) -> [String] {
        [
            label, text(outcome.lag(atPercentile: 50)), text(outcome.lag(atPercentile: 90)), text(outcome.lags.last),
            "\(Format.grouped(outcome.notReceived)) (\(Format.number(100 * outcome.notReceivedShare))%)",
        ]
    }

    private static func json(_ outcome: ExpiryLagProbe.Outcome) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        return JSONValue(object: [
            ("received", JSONValue(outcome.lags.count)), ("notReceived", JSONValue(outcome.notReceived)),
            ("notReceivedShare", .number(outcome.notReceivedShare)), ("p50", number(outcome.lag(atPercentile: 50))),
            ("p90", number(outcome.lag(atPercentile: 90))), ("max", number(outcome.lags.last)),
        ])
    }
}
