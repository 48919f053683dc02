import PresenceCore
import Scenario
import Testing

@testable import Simulation

/// Ghost typing is timed from when its subject stopped typing in that room, also once the subject types
/// in another room.
@Suite struct GhostTypingTests {
    @Test func aGhostInAnEarlierRoomIsTimedFromTheStopThere() throws {
        // Two clients who share two rooms.
        let scenario = try scenario(
            #"{"name": "ghost", "duration": "10m", "clients": 2, "rooms": {"size": 2, "perClient": 2},"#
                + #" "protocol": {"design": "socketio-redis"}}"#)
        let population = Population(scenario: scenario)
        let (first, second) = (rid(0), rid(1))
        #expect(Array(population.rooms(of: cid(0))) == [first, second] && population.members(of: second).count == 2)
        var recorder = Recorder(scenario: scenario, population: population, platforms: [.desktop, .desktop])
        func at(_ seconds: Double) -> Instant { .zero + Interval(seconds: seconds) }
        recorder.record(.truth(present: true, cause: .graceful), of: cid(0), now: at(0))
        recorder.record(.truth(present: true, cause: .graceful), of: cid(1), now: at(0))
        // Client 0 types in the first room from 100 s to 103 s; client 1's indicator goes up, and its stop
        // is lost.
        recorder.record(.truthTyping(true, room: first), of: cid(0), now: at(100))
        recorder.record(.showTyping(first, subject: cid(0), isTyping: true), of: cid(1), now: at(100.1))
        recorder.record(.truthTyping(false, room: first), of: cid(0), now: at(103))
        // Then in the second room from 200 s to 203 s, shown and cleared 0.1 s late.
        recorder.record(.truthTyping(true, room: second), of: cid(0), now: at(200))
        recorder.record(.showTyping(second, subject: cid(0), isTyping: true), of: cid(1), now: at(200.1))
        recorder.record(.truthTyping(false, room: second), of: cid(0), now: at(203))
        recorder.record(.showTyping(second, subject: cid(0), isTyping: false), of: cid(1), now: at(203.1))
        // The first room's ghost goes at 300 s: up 197 s after the stop there (not 97 s after the last stop).
        recorder.record(.showTyping(first, subject: cid(0), isTyping: false), of: cid(1), now: at(300))
        recorder.finish(now: at(600))
        let ghosts = recorder.measurements.ghostTyping.summary
        #expect(ghosts.count == 2)
        #expect(abs(ghosts.max - 197) < 0.2, "longest ghost \(ghosts.max) s")
        #expect(abs(ghosts.mean - (197 + 0.1) / 2) < 0.2, "mean ghost \(ghosts.mean) s")
        let shown = recorder.measurements.typingPropagation.summary
        #expect(shown.count == 2 && abs(shown.max - 0.1) < 0.001)
    }
}
