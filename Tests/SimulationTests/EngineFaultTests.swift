import PresenceCore
import Scenario
import Simulation
import Testing

/// Faults through the whole `events` engine: partitions, latency spikes and core restarts, read from
/// the measurements and the timeline.
@Suite struct EngineFaultTests {
    private func point(_ run: RunOutcome, at seconds: Double) throws -> TimelinePoint {
        try #require(run.measurements.timeline.first { $0.at == instant(seconds) })
    }

    /// A partition of share s cuts about s of the clients off at its instant (truth absent, the store
    /// still holding their entries until they expire) and gives them back after `for`.
    @Test func partitionCutsAShareOfClientsForItsDuration() throws {
        let clients = 400
        let run = Simulator.run(
            try scenario(
                """
                {"name": "partition", "seed": 5, "duration": "4m", "clients": \(clients), "timeline": "10s",
                 "rooms": {"size": 4}, "protocol": {"design": "ttl-entries"},
                 "behavior": {"online": "never", "offline": "never"},
                 "network": {"latency": {"constant": "50ms"}},
                 "faults": [{"at": "90s", "kind": "partition", "share": 0.3, "for": "30s"}]}
                """), engine: .events)
        // Everyone has arrived within the first minute. Samples at the fault's instants come before the
        // fault's own events at those instants.
        for seconds in [70.0, 80, 90] {
            let point = try point(run, at: seconds)
            #expect(point.online == clients && point.storeOnline == clients, "at \(seconds) s: \(point)")
        }
        let during = try point(run, at: 100)
        let cut = clients - during.online
        // Binomial(400, 0.3): mean 120, sd 9.2; four standard deviations.
        #expect(abs(Double(cut) - 120) <= 37, "\(cut) clients cut off")
        for seconds in [110.0, 120] { #expect(try point(run, at: seconds).online == during.online) }
        // The store notices only when the entries expire (30 s TTL, last heartbeat before the fault).
        #expect(during.storeOnline == clients)
        #expect(try point(run, at: 120).storeOnline == during.online)
        // Observers are not wrong about clients that are truly gone.
        #expect(during.falseOfflineViews == 0)
        // Restored: every client is back and connected by the next sample.
        for seconds in [130.0, 150, 240] {
            let point = try point(run, at: seconds)
            #expect(point.online == clients && point.storeOnline == clients, "at \(seconds) s: \(point)")
            #expect(point.shownOnlineViews == point.trulyOnlineViews && point.falseOfflineViews == 0)
        }
    }

    /// A latency spike multiplies every latency drawn during its window: with a constant 50 ms, a typing
    /// change takes 100 ms to reach an observer (up and down), and 1 s inside a ×10 spike.
    @Test func latencySpikeMultipliesPropagationDuringItsWindow() throws {
        func typing(spike: Bool) throws -> Summary {
            let faults = spike ? #", "faults": [{"at": "2m", "kind": "latency-spike", "factor": 10, "for": "1m"}]"# : ""
            let run = Simulator.run(
                try scenario(
                    """
                    {"name": "spike", "seed": 9, "duration": "4m", "warmup": "1m", "clients": 40,
                     "rooms": {"size": 4}, "protocol": {"design": "socketio-redis"},
                     "behavior": {"online": "never", "offline": "never",
                                  "typing": {"burstsPerHour": 120, "burst": {"constant": "3s"}, "keystroke": "500ms"}},
                     "network": {"latency": {"constant": "50ms"}}\(faults)}
                    """), engine: .events)
            return run.measurements.typingPropagation.summary
        }
        let calm = try typing(spike: false)
        let spiked = try typing(spike: true)
        #expect(calm.count > 300 && spiked.count > 300)
        // Histogram resolution: 0.1 %.
        expectClose(calm.p50, 0.1, tolerance: 0.0002, "calm p50")
        expectClose(calm.max, 0.1, tolerance: 0.0002, "calm max")
        // Two thirds of the measured window are outside the spike, one third inside.
        expectClose(spiked.p50, 0.1, tolerance: 0.0002, "spiked p50")
        expectClose(spiked.p90, 1.0, tolerance: 0.002, "spiked p90")
        expectClose(spiked.max, 1.0, tolerance: 0.002, "spiked max")
        #expect(spiked.mean > 0.3 && spiked.mean < 0.55, "spiked mean \(spiked.mean)")
    }

    /// Design flaw (design C): a core restart empties the store and closes every socket; each
    /// reconnecting client paints the room from an empty (or partly refilled) store, so it shows its
    /// truly online room-mates offline until each re-heartbeats: a spike of false-offline views right
    /// after the restart that decays within seconds, while the reconnect storm of joins makes the
    /// deliveries per second jump from zero.
    @Test func ttlEntriesRestartShowsAnEmptyRoomAndAReconnectStorm() throws {
        func run(restart: Bool) throws -> RunOutcome {
            let faults = restart ? #", "faults": [{"at": "90s", "kind": "restart-core"}]"# : ""
            return Simulator.run(
                try scenario(
                    """
                    {"name": "restart", "seed": 5, "duration": "150s", "warmup": "65s", "clients": 200, "timeline": "1s",
                     "rooms": {"size": 5}, "protocol": {"design": "ttl-entries"},
                     "behavior": {"online": "never", "offline": "never"},
                     "network": {"latency": {"uniform": ["50ms", "1s"]}}\(faults)}
                    """), engine: .events)
        }
        let restarted = try run(restart: true)
        let calm = try run(restart: false)
        let views = 200 * 4
        let timeline = restarted.measurements.timeline
        // Everyone has arrived and heartbeated by 62 s (arrivals within the first minute, latency ≤ 1 s).
        let before = timeline.filter { $0.at < instant(90) }
        let storm = timeline.filter { $0.at >= instant(90) && $0.at <= instant(96) }
        let after = timeline.filter { $0.at >= instant(100) }
        #expect(before.allSatisfy { $0.online == 200 && $0.trulyOnlineViews == views })
        // The store is empty right after the restart (every client is still truly online).
        #expect(try point(restarted, at: 90).storeOnline == 0)
        #expect(try point(restarted, at: 90).online == 200)
        let baseline = before.map(\.falseOfflineViews).max() ?? 0
        let peak = storm.map(\.falseOfflineViews).max() ?? 0
        // The spike: more than half of all views wrongly show a room-mate offline.
        #expect(baseline <= views / 50, "false-offline views before the restart: \(baseline)")
        #expect(peak > views / 2, "false-offline views after the restart peak at \(peak)")
        // ... and it decays within seconds to the baseline level.
        #expect(after.allSatisfy { $0.falseOfflineViews <= views / 20 && $0.storeOnline == 200 })
        // Every client reconnects: one mistake per view at most, none without the restart.
        let mistakes = restarted.measurements.observers.mistakes
        #expect(mistakes > views / 2 && mistakes <= views + views / 20, "\(mistakes) mistakes")
        #expect(calm.measurements.observers.mistakes == 0)
        // The reconnect storm: deliveries per second jump from zero to hundreds.
        let bySecond = restarted.measurements.deliveriesBySecond
        let steady = bySecond[0..<25].max() ?? 0
        let stormPeak = bySecond[25..<35].max() ?? 0
        #expect(steady == 0)
        #expect(stormPeak >= 200, "peak deliveries per second after the restart: \(stormPeak)")
        #expect((calm.measurements.deliveriesBySecond.max() ?? 0) == 0)
    }

    /// Known simulator issue: deliveries on one socket can overtake each other, which TCP never allows.
    /// Always-online clients with lossless networks must never see a room-mate offline (design C only
    /// turns a view offline on a leave or an expiry), but with varying latency a few do, forever.
    @Test func socketMessagesArriveInOrder() throws {
        func falseOffline(latency: String) throws -> (mistakes: Int, atEnd: Int) {
            let run = Simulator.run(
                try scenario(
                    """
                    {"name": "order", "seed": 5, "duration": "2m", "clients": 200, "timeline": "10s",
                     "rooms": {"size": 5}, "protocol": {"design": "ttl-entries"},
                     "behavior": {"online": "never", "offline": "never"},
                     "network": {"latency": \(latency)}}
                    """), engine: .events)
            return (run.measurements.observers.mistakes, run.measurements.timeline.last?.falseOfflineViews ?? -1)
        }
        let constant = try falseOffline(latency: #"{"constant": "500ms"}"#)
        #expect(constant.mistakes == 0 && constant.atEnd == 0)
        let varying = try falseOffline(latency: #"{"uniform": ["50ms", "1s"]}"#)
        #expect(varying.mistakes == 0 && varying.atEnd == 0, "\(varying)")
    }
}
