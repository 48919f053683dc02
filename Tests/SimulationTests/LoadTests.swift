import PresenceCore
import Scenario
import Testing

@testable import Simulation

/// The load test's parts: the wall-to-simulated clock, the lapse accounting, the operation kinds, and
/// short real-time runs.
@Suite struct LoadTests {
    @Test func aRampMapsWallTimeOntoSimulatedTimeStepByStep() {
        let schedule = SpeedSchedule(speeds: [10, 20, 40], stepLength: Interval(seconds: 2))
        #expect(schedule.wallEnd == 6_000_000_000)
        #expect(schedule.simulatedEnd == instant(20 + 40 + 80))
        #expect(schedule.simulated(atWall: 1_000_000_000) == instant(10))
        #expect(schedule.simulated(atWall: 3_000_000_000) == instant(40))
        #expect(schedule.simulated(atWall: 99_000_000_000) == schedule.simulatedEnd)
        #expect(schedule.step(atWall: 1_999_999_999) == 0 && schedule.step(atWall: 2_000_000_000) == 1)
        #expect(schedule.step(atSimulated: instant(19.9)) == 0 && schedule.step(atSimulated: instant(20)) == 1)
        for wall in stride(from: Int64(0), through: 6_000_000_000, by: 250_000_000) {
            let back = schedule.wall(atSimulated: schedule.simulated(atWall: wall))
            #expect(abs(back - wall) <= 1, "wall \(wall) → \(back)")
        }
    }

    @Test func aFixedSpeedCoversTheSimulatedTimeInBoundedSteps() {
        let hour = SpeedSchedule.constant(speed: 60, simulated: Interval(seconds: 3600))
        #expect(hour.steps.count == 60 && hour.wallEnd == 60_000_000_000)
        #expect(hour.simulatedEnd == instant(3600))
        // A century at speed 1 is still a few hundred steps, not three billion.
        let century = SpeedSchedule.constant(speed: 1, simulated: Interval(seconds: 100 * 365 * 86_400))
        #expect(century.steps.count <= 600)
        #expect(century.simulatedEnd == instant(100 * 365 * 86_400))
        // A stretch that does not divide into whole seconds ends with a shorter step.
        let odd = SpeedSchedule.constant(speed: 10, simulated: Interval(seconds: 25))
        #expect(odd.steps.count == 3 && odd.wallEnd == 2_500_000_000 && odd.simulatedEnd == instant(25))
    }

    @Test func lapsesAreTheTestersOnlyWhenTheRefreshWasDueInTime() {
        var tracker = LapseTracker()
        let a = ClientID(0)
        // Written at 0 with a 60 s TTL, refreshed on time at 20 s.
        tracker.storeView(a, presentUntil: instant(60), now: instant(0), due: instant(0))
        tracker.storeView(a, presentUntil: instant(80), now: instant(20), due: instant(20))
        #expect(tracker.lapses == 0)
        // The next refresh was due at 70 s but reached the core at 85 s: the tester's lapse.
        tracker.storeView(a, presentUntil: instant(145), now: instant(85), due: instant(70))
        #expect(tracker.lapses == 1 && tracker.testerCaused == 1)
        // A refresh due after the entry ran out: the model's lapse.
        tracker.storeView(a, presentUntil: instant(210), now: instant(150), due: instant(150))
        #expect(tracker.lapses == 2 && tracker.testerCaused == 1)
        // A deliberate removal is no lapse, now or later.
        tracker.storeView(a, presentUntil: instant(160), now: instant(160), due: instant(160))
        tracker.storeView(a, presentUntil: instant(300), now: instant(240), due: instant(240))
        #expect(tracker.lapses == 2)
        // Entries that run out before the end with nothing after count as the model's.
        tracker.storeView(ClientID(1), presentUntil: instant(290), now: instant(230), due: instant(230))
        tracker.finish(at: instant(295))
        #expect(tracker.lapses == 3 && tracker.testerCaused == 1)
    }

    @Test func operationsAreCountedByKind() {
        let kinds: [(Uplink, OperationKind)] = [
            (.heartbeat(.online, room: nil), .heartbeat), (.heartbeat(.online, room: RoomID(3)), .heartbeat),
            (.beacon(.away), .heartbeat), (.beacon(.offline), .leave), (.connect(1), .join),
            (.joinRoom(RoomID(0)), .join), (.close(1), .leave), (.leave(RoomID(0)), .leave),
            (.leaveRoom(RoomID(0)), .leave), (.typing(RoomID(0), true), .typing), (.pollRoom(RoomID(0)), .read),
            (.pollUsers(RoomID(0), requests: 2), .read), (.pollTyping(RoomID(0)), .read),
        ]
        for (message, kind) in kinds { #expect(OperationKind(message) == kind, "\(message)") }
    }

    private func smallScenario() throws -> Scenario {
        try scenario(
            #"{"name": "load", "duration": "10m", "clients": 100, "rooms": {"size": 4}, "protocol": {"design": "socketio-redis"}}"#
        )
    }

    /// Steps end when the callback says so or when a stop is requested. (What a whole test measures is
    /// checked through the binary, in a process of its own: here the test runner's other tests share
    /// the concurrent executor's threads.)
    @Test func aStepCallbackOrAStopRequestEndsTheTestEarly() async throws {
        let schedule = SpeedSchedule(speeds: [50, 100, 200, 400], stepLength: Interval(seconds: 0.3))
        let judged = await LoadTest.run(
            try smallScenario(), options: LoadTest.Options(shards: 1, schedule: schedule, faults: false),
            onStep: { $0.index < 1 }, shouldStop: { false })
        #expect(judged.complete && judged.steps.count == 2)
        #expect(judged.simulated == schedule.steps[1].simulatedEnd)

        let stopped = await LoadTest.run(
            try smallScenario(), options: LoadTest.Options(shards: 1, schedule: schedule, faults: false),
            onStep: { _ in true }, shouldStop: { true })
        #expect(!stopped.complete && stopped.steps.count == 1)
    }
}
