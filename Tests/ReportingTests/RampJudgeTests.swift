import PresenceCore
import Reporting
import Testing

@testable import Simulation

/// The ramp policy: step 0 warms up, a sustained step becomes the capacity, one failed step is forgiven,
/// two failed steps in a row end the ramp and say why.
@Suite struct RampJudgeTests {
    private static let bounds = RampBounds(lagP99: 0.010, latencyP99: 0.001)

    /// A step at `speed` with the given lag p99 (seconds), doing everything offered.
    private static func step(_ index: Int, speed: Double, lag: Double) -> LoadTest.MeasuredStep {
        var summary = LatencySummary.empty
        summary.count = 100
        summary.p99 = lag
        var latency = LatencySummary.empty
        latency.count = 100
        latency.p99 = 0.0001
        return LoadTest.MeasuredStep(
            index: index, speed: speed, wallSeconds: 1, offered: [100, 0, 0, 0, 0, 0], achieved: [100, 0, 0, 0, 0, 0],
            events: 100, deliveries: 0, lag: summary, latency: latency, coreInputs: 100, coreBusySeconds: 0.1)
    }

    @Test func twoFailedStepsInARowEndTheRampAndTheLastSustainedOneIsTheCapacity() {
        let judge = RampJudge(mode: .ramp(bounds: Self.bounds, stepSeconds: 1))
        #expect(judge.judge(Self.step(0, speed: 10, lag: 1)) == (true, "warm-up"))
        #expect(judge.judge(Self.step(1, speed: 20, lag: 0.001)).goOn)
        #expect(judge.judge(Self.step(2, speed: 40, lag: 0.002)).goOn)
        let once = judge.judge(Self.step(3, speed: 80, lag: 0.050))
        #expect(once.goOn && once.text.hasSuffix("(once)"))
        #expect(judge.judge(Self.step(4, speed: 160, lag: 0.001)).goOn)
        #expect(judge.judge(Self.step(5, speed: 320, lag: 0.050)).goOn)
        #expect(!judge.judge(Self.step(6, speed: 640, lag: 0.050)).goOn)
        let run = judge.run(
            LoadOutcome(
                shards: 1, drivers: 2, schedule: SpeedSchedule(speeds: [10], stepLength: .seconds(1)), steps: [],
                wallSeconds: 7, simulated: .zero, latency: [], lag: .empty, lapses: 0, testerLapses: 0, complete: true))
        #expect(run.capacity?.index == 4)
        #expect(run.stopReason?.hasPrefix("step 5 at 320×") == true)
        #expect(run.stopReason?.contains("then step 6 at 640×") == true)
    }

    @Test func aFixedSpeedTestIsNeverJudged() {
        let judge = RampJudge(mode: .fixed(speed: 60))
        #expect(judge.judge(Self.step(3, speed: 60, lag: 5)) == (true, ""))
    }

    @Test func aRampLadderStopsAtTheStepCountOrTheLongestSimulatedSpan() throws {
        let ladder = try #require(
            SpeedSchedule.ramp(
                first: 10, factor: 2, stepLength: .seconds(1), maximumSteps: 5, longestSimulated: .hours(1)))
        #expect(ladder.steps.map(\.speed) == [10, 20, 40, 80, 160])
        let capped = try #require(
            SpeedSchedule.ramp(
                first: 1000, factor: 2, stepLength: .seconds(1), maximumSteps: 50, longestSimulated: .hours(2)))
        #expect(capped.steps.map(\.speed) == [1000, 2000, 4000])
        #expect(
            SpeedSchedule.ramp(
                first: 1e9, factor: 2, stepLength: .seconds(1), maximumSteps: 5, longestSimulated: .hours(1))
                == nil)
    }
}
