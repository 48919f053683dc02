import PresenceCore
import Scenario
import Simulation
import Testing

/// The reference designs' flaws, pinned with the numbers that show them. The tool models each design
/// faithfully, flaws included: these tests fail if a flaw silently disappears (or grows).
/// Design C's empty room after a restart is pinned in
/// `EngineFaultTests.ttlEntriesRestartShowsAnEmptyRoomAndAReconnectStorm`.
@Suite struct DesignFlawTests {
    /// Design B: hiding the tab sends an `away` beacon, but the heartbeat timer keeps running and computes
    /// the status from the last input, which was less than 5 minutes ago, so the next heartbeat — 10 s
    /// later here — stores `online` again while the tab is still hidden. The user only turns away for
    /// good 5 minutes after hiding.
    @Test func httpPollingAwayBeaconIsOverwrittenByTheNextHeartbeat() throws {
        let scenario = try handScenario(
            design: "http-polling",
            behavior:
                #"{"online": "never", "offline": "never", "hidden": {"every": {"constant": "1h"}, "for": {"constant": "30m"}}}"#
        )
        var client = ClientDriver(scenario)
        var server = ServerDriver(scenario)
        client.bringOnline(at: 1, socket: false)
        server.message(0, .joinRoom(rid(0)), at: 1)
        server.message(0, .heartbeat(.online, room: nil), at: 1)
        server.message(1, .joinRoom(rid(0)), at: 1)

        let hide = client.fire(.hide, tag: 0, at: 21)
        #expect(sends(in: hide) == [.beacon(.away)])
        server.message(0, .beacon(.away), at: 21.05)
        #expect(
            deliveries(in: server.message(1, .pollRoom(rid(0)), at: 25)) == [
                .deliver(to: cid(1), .roomSnapshot(view(0, [entry(0, .away)])))
            ])

        // The heartbeat due at 31 s, 10 s after hiding: online again.
        let beat = client.fire(.heartbeat, tag: 1, at: 31)
        #expect(sends(in: beat) == [.heartbeat(.online, room: nil)])
        server.message(0, .heartbeat(.online, room: nil), at: 31.05)
        #expect(
            deliveries(in: server.message(1, .pollRoom(rid(0)), at: 35)) == [
                .deliver(to: cid(1), .roomSnapshot(view(0, [entry(0, .online)])))
            ])
        // Still online at 4 m 50 s hidden; away from 5 minutes on.
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 311)) == [.heartbeat(.online, room: nil)])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 321)) == [.heartbeat(.away, room: nil)])
    }

    /// Design A: a 10 s outage is too short for the transport to notice (ping every 25 s, timeout 20 s),
    /// so the client reconnects before its old socket is declared dead; when that zombie times out, the
    /// disconnect handler broadcasts `offline` for a user who is back. The observers' false-offline
    /// mistakes show it: thousands with 10 s outages (2,541 here, about 11 per client-hour, each lasting
    /// until the user's next reconnect, minutes on average), none without outages — and far fewer with
    /// 60 s outages, which the transport notices before the client comes back.
    @Test func socketIORedisZombieSocketsMakeShortOutagesLookLikeDepartures() throws {
        func mistakes(outage: String?) throws -> StalenessStats {
            let outages =
                outage.map { #", "outages": {"every": {"exponential": "5m"}, "for": {"constant": "\#($0)"}}"# } ?? ""
            let run = Simulator.run(
                try scenario(
                    """
                    {"name": "zombies", "seed": 9, "duration": "30m", "warmup": "5m", "clients": 200,
                     "rooms": {"size": 4}, "protocol": {"design": "socketio-redis"},
                     "behavior": {"online": "never", "offline": "never"},
                     "network": {"latency": {"constant": "50ms"}\(outages)}}
                    """), engine: .events)
            return run.measurements.observers
        }
        let short = try mistakes(outage: "10s")
        let long = try mistakes(outage: "60s")
        let none = try mistakes(outage: nil)
        #expect(none.mistakes == 0)
        #expect(short.mistakes > 1_000, "\(short.mistakes) false offlines with 10 s outages")
        #expect(short.mistakesPerClientHour > 5)
        #expect(
            short.mistakeDuration.summary.mean > 30,
            "mean false-offline duration \(short.mistakeDuration.summary.mean) s")
        #expect(short.mistakes > 20 * long.mistakes, "10 s: \(short.mistakes), 60 s: \(long.mistakes)")
    }

    /// Design A: a server restart (a deploy, a crash) drops every socket without running the disconnect
    /// handler, so a user whose departure the server had not yet noticed stays in the family set: the
    /// next observer's first paint lists them (a ghost), and without the expired-key worker nothing ever
    /// removes them. The worker (`expiry` an interval) clears them once their key expires.
    @Test func socketIORedisServerRestartLeavesGhostsInTheSet() throws {
        func firstPaintAfterRestart(expiry: String) throws -> ServerEffect? {
            var server = ServerDriver(
                try handScenario(
                    design: "socketio-redis", protocol: #""expiry": "\#(expiry)""#,
                    behavior: #"{"online": "never", "offline": "never"}"#))
            server.message(0, .connect(1), at: 1)
            server.message(1, .connect(1), at: 1)
            server.message(0, .heartbeat(.online, room: nil), at: 2)
            // Client 1 vanishes at 5 s; before the transport notices, the server restarts.
            let restart = server.handle(.restartServer, at: 10)
            #expect(deliveries(in: restart) == [.deliver(to: cid(0), .closed), .deliver(to: cid(1), .closed)])
            #expect(!restart.contains { if case .lastSeen = $0 { true } else { false } })
            server.message(0, .connect(2), at: 11)
            for at in stride(from: 20.0, through: 120, by: 20) {
                server.message(0, .heartbeat(.online, room: nil), at: at)
                server.handle(.timer(.sweep, tag: 0), at: at)
            }
            return deliveries(in: server.message(2, .connect(1), at: 125)).last
        }
        // Without the worker, client 1 is still in the set two minutes later.
        #expect(
            try firstPaintAfterRestart(expiry: "off")
                == .deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(0, .online), entry(1, .online)])])))
        // With a 20 s worker it was removed once its key (written at 1 s, 60 s TTL) expired.
        #expect(
            try firstPaintAfterRestart(expiry: "20s")
                == .deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(0, .online)])])))
    }
}
