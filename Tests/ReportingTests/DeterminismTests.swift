import Dispatch
import Foundation
import Reporting
import Scenario
import Simulation
import Testing

/// Determinism under load: the same scenario and seed give the same fingerprint even when two runs of it
/// share the machine at the same moment, on either engine, whatever faults the scenario holds.
///
/// `EngineAgreementTests` checks that both engines agree on one seed, and
/// `SweepCommandTests.jobsAndShardsDoNotChangeResults` that a sweep does not depend on `--jobs`; this
/// checks repeatability across seeds, with the runs racing each other.
@Suite struct DeterminismTests {
    /// Seeds far apart, the largest included; each bundled scenario runs under every one.
    static let seeds: [UInt64] = [7, UInt64.max]

    /// Runs every scenario of `runs` at once and returns their fingerprints, in order.
    private static func racingFingerprints(_ runs: [(scenario: Scenario, engine: EngineKind)]) -> [String] {
        let fingerprints = Fingerprints()
        DispatchQueue.concurrentPerform(iterations: runs.count) { slot in
            let (scenario, engine) = runs[slot]
            let outcome = Simulator.run(scenario, engine: engine)
            let report = RunReport(scenario: scenario, outcome: outcome, wallSeconds: 0, peakMemoryBytes: 0)
            fingerprints.set(slot, report.fingerprint)
        }
        return fingerprints.values
    }

    /// Each seed runs twice, all runs at once: the events engine for the first seed, actors for the next.
    @Test(arguments: bundledScenarios)
    func everySeedRepeatsExactly(path: String) throws {
        var runs: [(scenario: Scenario, engine: EngineKind)] = []
        for (index, seed) in Self.seeds.enumerated() {
            var scenario = try reduced(path, clients: 8)
            scenario.seed = seed
            let engine: EngineKind = index.isMultiple(of: 2) ? .events : .actors
            runs += [(scenario, engine), (scenario, engine)]
        }
        let fingerprints = Self.racingFingerprints(runs)
        #expect(fingerprints.count == runs.count)
        for (index, seed) in Self.seeds.enumerated() {
            #expect(fingerprints[2 * index] == fingerprints[2 * index + 1], "seed \(seed), \(runs[2 * index].engine)")
        }
        let bySeed = Set(stride(from: 0, to: fingerprints.count, by: 2).map { fingerprints[$0] })
        #expect(bySeed.count == Self.seeds.count, "two seeds gave the same run of \(path)")
    }
}

/// Fingerprints written by concurrent runs.
private final class Fingerprints: @unchecked Sendable {
    // @unchecked Sendable: `slots` is only touched under `lock`.
    private let lock = NSLock()
    private var slots: [Int: String] = [:]

    func set(_ slot: Int, _ fingerprint: String) { lock.withLock { slots[slot] = fingerprint } }

    var values: [String] { lock.withLock { slots.keys.sorted().compactMap { slots[$0] } } }
}
