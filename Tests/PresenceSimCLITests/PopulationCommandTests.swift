import Foundation
import Scenario
import Testing

/// Cohorts, profiles and surges from the command line: `run`, `load` and bad input.
@Suite struct PopulationCommandTests {
    /// 300 clients, 40 % online from the start and no one arriving on their own, so every connect after
    /// the start is the surge's.
    static func surgeFile(surge: Bool) throws -> String {
        let file = temporaryFolder() + ".json"
        let fault = surge ? #", "faults": [{"at": "60s", "kind": "surge", "share": 0.5, "within": "10s"}]"# : ""
        try Data(
            """
            {"name": "surge", "seed": 3, "duration": "10m", "clients": 300, "rooms": {"size": 5},
             "protocol": {"design": "ttl-entries", "heartbeat": "15s", "ttl": "45s"},
             "behavior": {"online": "never", "profile": {"points": [["0s", 0.4]]}},
             "network": {"latency": {"constant": "50ms"}}\(fault)}
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        return file
    }

    func offeredJoins(_ file: String) throws -> Double {
        let result = try presenceSim([
            "load", file, "--speed", "30", "--duration", "4s", "--shards", "1", "--out", temporaryFolder(),
            "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try JSONValue.parse(Array(result.stdout.utf8))["runs"]?[0])
        #expect(run["simulatedSeconds"]?.doubleValue == 120)
        return try #require(run["operations"]?["join"]?["offered"]?.doubleValue)
    }

    /// The load test places the surge like the engines: the extra connects are a binomial half of the
    /// clients offline at 60 s (the same clients are online at the start with or without it).
    @Test func loadRunsASurge() throws {
        let initial = try offeredJoins(try Self.surgeFile(surge: false))
        let offline = 300 - initial
        let arrivals = try offeredJoins(try Self.surgeFile(surge: true)) - initial
        #expect(initial > 80 && initial < 160, "\(initial) online at the start")
        #expect(abs(arrivals - 0.5 * offline) <= 4 * (offline * 0.25).squareRoot(), "\(arrivals) of \(offline)")
    }

    @Test func badPopulationKeysExit64() throws {
        let cases: [(sets: [String], message: String)] = [
            (
                [#"cohorts=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.2}]"#],
                "cohorts: expected the cohorts' shares to sum to 1"
            ),
            (
                ["behavior.offline=null", #"behavior.profile={"points": [["1h", 0.5]]}"#],
                "behavior.profile.points[0][0]: expected the first point"
            ),
            (
                [#"faults[0]={"at": "59m", "kind": "surge", "share": 0.3, "within": "2m"}"#],
                "faults[0].within: expected the surge to end by the end of the run"
            ),
        ]
        for (sets, message) in cases {
            let result = try presenceSim(
                ["run", "Scenarios/ttl-entries.json", "--out", temporaryFolder()] + sets.flatMap { ["--set", $0] })
            let set = sets.joined(separator: " ")
            #expect(result.status == 64, "\(set): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(set): \(result.stderr)")
        }
    }
}
