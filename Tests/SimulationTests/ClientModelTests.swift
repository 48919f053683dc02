import PresenceCore
import Scenario
import Simulation
import Testing

/// Always online, no episodes: the plainest behaviour, for the connection lifecycle.
private let alwaysOnline = #"{"online": "never", "offline": "never", "graceful": 1, "vanish": 0}"#

/// The client behaviour state machine, one input at a time: each test drives one `ClientModel` by hand
/// with chosen inputs and instants and checks the exact effects. The model says what it sends; when a
/// message arrives is the router's business (RouterTests).
@Suite struct ClientModelTests {
    /// A run holds up to a million models, so their size is part of the engines' memory and speed; the
    /// stored properties are ordered to keep it (see the note on them).
    @Test func modelStaysCompact() {
        #expect(MemoryLayout<ClientModel>.stride <= 136)
    }

    // MARK: Start and coming online

    /// Always-online clients start in the steady state: each schedules its first `comeOnline` within the
    /// first minute, spread over it, and nothing else; the spread is the same whatever the design and its
    /// heartbeat (it is behaviour, not protocol).
    @Test func startSpreadsFirstArrivalsOverAMinuteWhateverTheProtocol() throws {
        var arrivalsByDesign: [[Instant]] = []
        for design in ["socketio-redis", "http-polling", "ttl-entries"] {
            let scenario = try handScenario(design: design, behavior: alwaysOnline, clients: 60)
            var instants: [Instant] = []
            for client in 0..<60 {
                var driver = ClientDriver(scenario, client: client)
                let effects = driver.handle(.start, at: 0)
                #expect(effects.count == 1, "client \(client): \(effects)")
                let comeOnline = scheduled(.comeOnline, in: effects)
                #expect(comeOnline.count == 1 && comeOnline.first?.tag == 0)
                if let at = comeOnline.first?.at {
                    #expect(at >= .zero && at < instant(60), "client \(client) comes online at \(at)")
                    instants.append(at)
                }
            }
            // Spread over the minute, not a synchronized storm.
            #expect((instants.max() ?? .zero) - (instants.min() ?? .zero) > .seconds(30))
            #expect(Set(instants).count == instants.count)
            arrivalsByDesign.append(instants)
        }
        #expect(Set(arrivalsByDesign).count == 1)
    }

    @Test func comeOnlineOnASocketDesignClearsTheViewAndConnects() throws {
        for design in ["socketio-redis", "ttl-entries"] {
            var client = ClientDriver(try handScenario(design: design, behavior: alwaysOnline))
            _ = client.handle(.start, at: 0)
            #expect(
                client.fire(.comeOnline, tag: 0, at: 1) == [
                    .clearView, .truth(present: true, cause: .graceful), .send(.connect(1)),
                    .link(1),
                ], "\(design)")
        }
    }

    /// Design B has no socket: coming online joins the room, sends the first heartbeat and starts the
    /// heartbeat and the three polls (room and users now, typing one typing poll later).
    @Test func comeOnlineOnHTTPPollingJoinsHeartbeatsAndPolls() throws {
        var client = ClientDriver(try handScenario(design: "http-polling", behavior: alwaysOnline))
        _ = client.handle(.start, at: 0)
        #expect(
            client.fire(.comeOnline, tag: 0, at: 1) == [
                .clearView, .truth(present: true, cause: .graceful),
                .send(.joinRoom(rid(0))), .send(.heartbeat(.online, room: nil)),
                .schedule(.heartbeat, tag: 1, at: instant(31)), .schedule(.pollRoom, tag: 1, at: instant(1)),
                .schedule(.pollUsers, tag: 1, at: instant(1)), .schedule(.pollTyping, tag: 1, at: instant(3)),
            ])
    }

    /// The handshake paints the snapshot, sends a heartbeat at once and schedules the next; each
    /// heartbeat timer sends one and schedules the next, one period later.
    @Test func connectedHandshakeAndHeartbeatTimer() throws {
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: alwaysOnline))
        _ = client.handle(.start, at: 0)
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        let snapshot = [entry(1, .online), entry(2, .online)]
        #expect(
            client.receive(.connected(1, snapshots: [view(0, snapshot)]), at: 1.1) == [
                .received, .showAll(view(0, snapshot)), .send(.heartbeat(.online, room: nil)),
                .schedule(.heartbeat, tag: 1, at: instant(21.1)),
            ])
        #expect(
            client.fire(.heartbeat, tag: 1, at: 21.1) == [
                .send(.heartbeat(.online, room: nil)), .schedule(.heartbeat, tag: 1, at: instant(41.1)),
            ])
        // Pushed changes reach the screen.
        #expect(
            client.receive(.presence(rid(0), entry(2, .offline)), at: 22) == [
                .received, .show(rid(0), entry(2, .offline)),
            ])
        #expect(
            client.receive(.typing(rid(0), subject: cid(1), isTyping: true), at: 23) == [
                .received, .showTyping(rid(0), subject: cid(1), isTyping: true),
            ])
        // A batch is shown entry by entry, without the client's own entry.
        #expect(
            client.receive(.presenceBatch(rid(0), [entry(0, .online), entry(1, .offline)]), at: 24) == [
                .received, .show(rid(0), entry(1, .offline)),
            ])
    }

    @Test func httpPollingTimersSendAndReschedule() throws {
        // A room of 251: 250 peers.
        var client = ClientDriver(
            try handScenario(design: "http-polling", behavior: alwaysOnline, clients: 251, roomSize: 251), client: 0)
        _ = client.handle(.start, at: 0)
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        #expect(
            client.fire(.heartbeat, tag: 1, at: 31) == [
                .send(.heartbeat(.online, room: nil)), .schedule(.heartbeat, tag: 1, at: instant(61)),
            ])
        #expect(
            client.fire(.pollRoom, tag: 1, at: 1) == [
                .send(.pollRoom(rid(0))), .schedule(.pollRoom, tag: 1, at: instant(11)),
            ])
        // 250 peers at 100 ids a request: three requests.
        #expect(
            client.fire(.pollUsers, tag: 1, at: 1) == [
                .send(.pollUsers(rid(0), requests: 3)), .schedule(.pollUsers, tag: 1, at: instant(31)),
            ])
        #expect(
            client.fire(.pollTyping, tag: 1, at: 3) == [
                .send(.pollTyping(rid(0))), .schedule(.pollTyping, tag: 1, at: instant(5)),
            ])
        // Poll answers repaint the room and the typing indicators.
        #expect(
            client.receive(.roomSnapshot(view(0, [entry(1, .away)])), at: 4) == [
                .received, .showAll(view(0, [entry(1, .away)])),
            ])
        #expect(
            client.receive(.typingSnapshot(rid(0), [cid(2)]), at: 4) == [.received, .showAllTyping(rid(0), [cid(2)])])
        // A user poll answer sets each avatar's dot.
        #expect(
            client.receive(.usersAnswer([entry(1, .away), entry(2, .offline)]), at: 4) == [
                .received, .showStatus(entry(1, .away)), .showStatus(entry(2, .offline)),
            ])
    }

    // MARK: Ends of spells

    struct SpellEnd: Sendable, CustomTestStringConvertible {
        var design: String
        var graceful: Double
        var vanish: Double
        var cause: DepartureCause
        var sends: [Uplink]
        var testDescription: String { "\(design) \(cause.name)" }
    }

    /// Every design, every cause: graceful A closes, C leaves then closes, B sends the offline beacon and
    /// leaves the room; a crash closes a socket (the OS does) and B sends nothing; a vanish sends nothing.
    @Test(arguments: [
        SpellEnd(design: "socketio-redis", graceful: 1, vanish: 0, cause: .graceful, sends: [.close(1)]),
        SpellEnd(design: "socketio-redis", graceful: 0, vanish: 0, cause: .crash, sends: [.close(1)]),
        SpellEnd(design: "socketio-redis", graceful: 0, vanish: 1, cause: .vanish, sends: []),
        SpellEnd(design: "ttl-entries", graceful: 1, vanish: 0, cause: .graceful, sends: [.leave(rid(0)), .close(1)]),
        SpellEnd(design: "ttl-entries", graceful: 0, vanish: 0, cause: .crash, sends: [.close(1)]),
        SpellEnd(design: "ttl-entries", graceful: 0, vanish: 1, cause: .vanish, sends: []),
        SpellEnd(
            design: "http-polling", graceful: 1, vanish: 0, cause: .graceful,
            sends: [.beacon(.offline), .leaveRoom(rid(0))]),
        SpellEnd(design: "http-polling", graceful: 0, vanish: 0, cause: .crash, sends: []),
        SpellEnd(design: "http-polling", graceful: 0, vanish: 1, cause: .vanish, sends: []),
    ])
    func spellEnd(_ spell: SpellEnd) throws {
        let socket = spell.design != "http-polling"
        var client = ClientDriver(
            try handScenario(
                design: spell.design,
                behavior: """
                    {"online": {"constant": "10m"}, "offline": {"constant": "5m"},
                     "graceful": \(spell.graceful), "vanish": \(spell.vanish)}
                    """))
        _ = client.handle(.start, at: 0)
        let online = client.fire(.comeOnline, tag: 0, at: 1)
        #expect(online[1] == .schedule(.spellEnd, tag: 0, at: instant(601)))
        if socket { _ = client.receive(.connected(1, snapshots: client.emptySnapshots), at: 1.1) }

        let expected: [ClientEffect] =
            spell.sends.map { .send($0) }
            + [.truth(present: false, cause: spell.cause), .schedule(.comeOnline, tag: 1, at: instant(901))]
            + (socket ? [.link(nil)] : [])
        #expect(client.fire(.spellEnd, tag: 0, at: 601) == expected)

        // Gone: the old spell's and session's timers, messages and a second end do nothing.
        #expect(client.fire(.spellEnd, tag: 0, at: 602).isEmpty)
        #expect(client.fire(.heartbeat, tag: 1, at: 621.1).isEmpty)
        #expect(client.fire(.comeOnline, tag: 0, at: 700).isEmpty)
        #expect(client.receive(.presence(rid(0), entry(1, .online)), at: 603).isEmpty)
        #expect(client.receive(.connected(1, snapshots: client.emptySnapshots), at: 603).isEmpty)
        #expect(client.receive(.roomSnapshot(view(0, [])), at: 603).isEmpty)
        // The next spell starts a new session (a new connection for a socket design).
        let next = client.fire(.comeOnline, tag: 1, at: 901)
        #expect(next.first == .clearView)
        #expect(next.contains(.truth(present: true, cause: .graceful)))
        #expect(sends(in: next) == (socket ? [.connect(2)] : [.joinRoom(rid(0)), .heartbeat(.online, room: nil)]))
    }

    // MARK: Hidden tabs and apps

    private static let hiddenEpisodes =
        #"{"online": "never", "offline": "never", "hidden": {"every": {"constant": "1h"}, "for": {"constant": "10m"}}"#

    /// Desktop Chrome: while hidden, chained timers are aligned to whole seconds; once the tab has been
    /// hidden 5 minutes (at the timer's due instant) to whole minutes. Visible again: unthrottled.
    @Test func hiddenDesktopTabThrottlesChainedTimers() throws {
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: Self.hiddenEpisodes + "}"))
        #expect(scheduled(.hide, in: client.handle(.start, at: 0)).map(\.at) == [instant(3600)])
        let tag = client.bringOnline(at: 1)
        #expect(client.model.platform == .desktop)
        // Design A sends nothing on hide.
        #expect(client.fire(.hide, tag: 0, at: 100.3) == [.schedule(.show, tag: 0, at: instant(700.3))])
        // Due 120.7, 20.4 s after hiding: the next whole second.
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 100.7)).map(\.at) == [instant(121)])
        // Due 400.2, 299.9 s after hiding: still seconds.
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 380.2)).map(\.at) == [instant(401)])
        // Due 400.3, exactly 5 minutes after hiding: whole minutes.
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 380.3)).map(\.at) == [instant(420)])
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 420)).map(\.at) == [instant(480)])
        // Heartbeats still go out while hidden.
        #expect(sends(in: client.fire(.heartbeat, tag: tag, at: 480)) == [.heartbeat(.online, room: nil)])
        #expect(client.fire(.show, tag: 0, at: 700.3) == [.schedule(.hide, tag: 0, at: instant(4300.3))])
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 710.7)).map(\.at) == [instant(730.7)])
        // A second show while visible only chains the next episode.
        #expect(client.fire(.show, tag: 0, at: 711) == [.schedule(.hide, tag: 0, at: instant(4311))])
    }

    /// Design B: hiding sends an away beacon; showing again sends an online heartbeat at once.
    @Test func httpPollingBeaconsAwayOnHideAndHeartbeatsOnShow() throws {
        var client = ClientDriver(try handScenario(design: "http-polling", behavior: Self.hiddenEpisodes + "}"))
        client.bringOnline(at: 1, socket: false)
        #expect(
            client.fire(.hide, tag: 0, at: 100.3) == [
                .schedule(.show, tag: 0, at: instant(700.3)), .send(.beacon(.away)),
            ])
        // Hidden polls are throttled like any chained timer.
        #expect(scheduled(.pollRoom, in: client.fire(.pollRoom, tag: 1, at: 101.4)).map(\.at) == [instant(112)])
        #expect(
            client.fire(.show, tag: 0, at: 700.3) == [
                .schedule(.hide, tag: 0, at: instant(4300.3)), .send(.heartbeat(.online, room: nil)),
            ])
    }

    /// iOS suspends a backgrounded app after `suspendAfter`: the socket dies silently (no close), truth
    /// turns absent with cause `suspended`, the session's timers go stale and messages are not received;
    /// showing the app reconnects on a new connection.
    @Test func iosSuspendsAfterSuspendAfterAndReconnectsOnShow() throws {
        let behavior =
            Self.hiddenEpisodes
            + #", "mobile": {"share": 1, "ios": 1, "suspendAfter": "5s", "backgroundTask": 0, "killWhileSuspended": 0}}"#
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: behavior))
        #expect(client.model.platform == .ios)
        let tag = client.bringOnline(at: 1)
        #expect(
            client.fire(.hide, tag: 0, at: 100) == [
                .schedule(.show, tag: 0, at: instant(700)), .schedule(.suspend, tag: 1, at: instant(105)),
            ])
        // iOS does not throttle timers before it suspends.
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 101.3)).map(\.at) == [instant(121.3)])
        #expect(client.fire(.suspend, tag: 1, at: 105) == [.truth(present: false, cause: .suspended), .link(nil)])
        #expect(client.fire(.suspend, tag: 1, at: 106).isEmpty)
        #expect(client.fire(.heartbeat, tag: tag, at: 121.3).isEmpty)
        #expect(client.receive(.presence(rid(0), entry(1, .offline)), at: 110).isEmpty)
        #expect(client.receive(.closed, at: 110).isEmpty)
        #expect(
            client.fire(.show, tag: 0, at: 700) == [
                .schedule(.hide, tag: 0, at: instant(4300)), .truth(present: true, cause: .suspended),
                .send(.connect(2)), .link(2),
            ])
        let handshake = client.receive(.connected(2, snapshots: client.emptySnapshots), at: 700.1)
        #expect(sends(in: handshake) == [.heartbeat(.online, room: nil)])
        #expect(scheduled(.heartbeat, in: handshake).map(\.at) == [instant(720.1)])
    }

    /// A show before the suspension makes the pending suspend timer stale; a background task stretches
    /// the delay to 30 s.
    @Test func iosShowBeforeSuspensionAndBackgroundTask() throws {
        let behavior =
            Self.hiddenEpisodes + #", "mobile": {"share": 1, "ios": 1, "suspendAfter": "5s", "backgroundTask": 1}}"#
        var client = ClientDriver(try handScenario(design: "ttl-entries", behavior: behavior))
        client.bringOnline(at: 1)
        #expect(scheduled(.suspend, in: client.fire(.hide, tag: 0, at: 100)).map(\.at) == [instant(130)])
        _ = client.fire(.show, tag: 0, at: 110)
        #expect(client.fire(.suspend, tag: 1, at: 130).isEmpty)
    }

    /// `killWhileSuspended` = 1: the suspension ends the spell; the next spell comes after an offline gap.
    @Test func iosKillWhileSuspendedEndsTheSpell() throws {
        let behavior = """
            {"online": {"constant": "1h"}, "offline": {"constant": "10m"},
             "hidden": {"every": {"constant": "1h"}, "for": {"constant": "10m"}},
             "mobile": {"share": 1, "ios": 1, "suspendAfter": "5s", "killWhileSuspended": 1}}
            """
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: behavior))
        client.bringOnline(at: 1)
        _ = client.fire(.hide, tag: 0, at: 100)
        #expect(
            client.fire(.suspend, tag: 1, at: 105) == [
                .truth(present: false, cause: .suspended), .schedule(.comeOnline, tag: 1, at: instant(705)), .link(nil),
            ])
        // The app is gone: showing does not reconnect, the old spell's end is stale.
        #expect(client.fire(.show, tag: 0, at: 700) == [.schedule(.hide, tag: 0, at: instant(4300))])
        #expect(client.fire(.spellEnd, tag: 0, at: 3601).isEmpty)
        let next = client.fire(.comeOnline, tag: 1, at: 705)
        #expect(sends(in: next) == [.connect(2)])
        #expect(next.contains(.truth(present: true, cause: .graceful)))
    }

    /// Android keeps the socket; after `dozeAfter` in the background, chained timers wait for the next
    /// `dozeWindow` boundary (before that they are not aligned at all).
    @Test func androidDozeAlignsTimersToMaintenanceWindows() throws {
        let behavior = """
            {"online": "never", "offline": "never",
             "hidden": {"every": {"constant": "1h"}, "for": {"constant": "30m"}},
             "mobile": {"share": 1, "ios": 0, "dozeAfter": "5m", "dozeWindow": "15m"}}
            """
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: behavior))
        #expect(client.model.platform == .android)
        let tag = client.bringOnline(at: 1)
        #expect(client.fire(.hide, tag: 0, at: 100.3) == [.schedule(.show, tag: 0, at: instant(1900.3))])
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 150.7)).map(\.at) == [instant(170.7)])
        // Due 410.8, 310.5 s after hiding: the next 15-minute window.
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 390.8)).map(\.at) == [instant(900)])
        #expect(scheduled(.heartbeat, in: client.fire(.heartbeat, tag: tag, at: 900)).map(\.at) == [instant(1800)])
        // No suspension: the client stays present and keeps its socket.
        #expect(
            client.receive(.presence(rid(0), entry(1, .online)), at: 901) == [
                .received, .show(rid(0), entry(1, .online)),
            ])
    }

    // MARK: Idle

    /// Design B turns away once the idle threshold has passed since the last input; input ends the idle
    /// period and the next heartbeat is online again. Design A carries no status.
    @Test func idlePeriodsTurnHTTPPollingAwayAfterTheThreshold() throws {
        let behavior = """
            {"online": "never", "offline": "never", "idle": {"every": {"constant": "1h"}, "for": {"constant": "10m"}}}
            """
        var client = ClientDriver(try handScenario(design: "http-polling", behavior: behavior))
        #expect(scheduled(.idleStart, in: client.handle(.start, at: 0)).map(\.at) == [instant(3600)])
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        #expect(client.fire(.idleStart, tag: 0, at: 100) == [.schedule(.idleEnd, tag: 0, at: instant(700))])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 399.9)) == [.heartbeat(.online, room: nil)])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 400)) == [.heartbeat(.away, room: nil)])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 690)) == [.heartbeat(.away, room: nil)])
        #expect(client.fire(.idleEnd, tag: 0, at: 700) == [.schedule(.idleStart, tag: 0, at: instant(4300))])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 701)) == [.heartbeat(.online, room: nil)])

        var socket = ClientDriver(try handScenario(design: "socketio-redis", behavior: behavior))
        let tag = socket.bringOnline(at: 1)
        _ = socket.fire(.idleStart, tag: 0, at: 100)
        #expect(sends(in: socket.fire(.heartbeat, tag: tag, at: 500)) == [.heartbeat(.online, room: nil)])
    }

    // MARK: Network

    /// Socket.IO-style backoff: attempt n waits min(2ⁿ, 5) s spread by ±50 %, capped at 5 s. While the
    /// network is down every attempt fails and schedules the next; messages are not received.
    @Test func outageOnSocketIORedisReconnectsWithJitteredBackoff() throws {
        let network = #""outages": {"every": {"constant": "1h"}, "for": {"constant": "30s"}}"#
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: alwaysOnline, network: network))
        #expect(scheduled(.outageStart, in: client.handle(.start, at: 0)).map(\.at) == [instant(3600)])
        let tag = client.bringOnline(at: 1)
        let lost = client.fire(.outageStart, tag: 0, at: 100)
        #expect(lost.count == 4)
        #expect(lost.first == .schedule(.outageEnd, tag: 0, at: instant(130)))
        #expect(Array(lost.dropFirst(2)) == [.truth(present: false, cause: .vanish), .link(nil)])
        var reconnect = try #require(scheduled(.reconnect, in: lost).first)
        #expect(reconnect.tag != tag)
        var now = 100.0
        var attempt = 0
        while true {
            let delay = reconnect.at.seconds - now
            let base = min(pow2(attempt), 5)
            #expect(
                delay >= base * 0.5 - 1e-9 && delay <= min(base * 1.5, 5) + 1e-9,
                "attempt \(attempt): \(delay) s, base \(base) s")
            now = reconnect.at.seconds
            attempt += 1
            guard now < 130 else { break }
            #expect(client.receive(.presence(rid(0), entry(1, .online)), at: now - 0.01).isEmpty)
            let effects = client.fire(.reconnect, tag: reconnect.tag, at: now)
            #expect(effects.count == 1, "a failed attempt only schedules the next: \(effects)")
            reconnect = try #require(scheduled(.reconnect, in: effects).first)
        }
        #expect(attempt >= 5)
        // The session's heartbeat is stale.
        #expect(client.fire(.heartbeat, tag: tag, at: 121.1).isEmpty)
        #expect(
            client.fire(.outageEnd, tag: 0, at: 130) == [
                .truth(present: true, cause: .vanish), .schedule(.outageStart, tag: 0, at: instant(3730)),
            ])
        #expect(
            client.fire(.reconnect, tag: reconnect.tag, at: now) == [
                .send(.connect(2)), .link(2),
            ])
        #expect(
            sends(in: client.receive(.connected(2, snapshots: client.emptySnapshots), at: now + 0.1)) == [
                .heartbeat(.online, room: nil)
            ])
        // The handshake resets the backoff: the next drop waits about 1 s again.
        let dropped = client.receive(.closed, at: now + 10)
        let next = try #require(scheduled(.reconnect, in: dropped).first)
        #expect(next.at.seconds - (now + 10) >= 0.5 - 1e-9 && next.at.seconds - (now + 10) < 1.5)
    }

    /// Design C reconnects Phoenix-style without jitter: exactly 1, 2, 4, 8 s, then 10 s each. A lost
    /// network is counted, so overlapping losses need as many restorations.
    @Test func networkLossOnTTLEntriesReconnectsWithExactBackoff() throws {
        var client = ClientDriver(try handScenario(design: "ttl-entries", behavior: alwaysOnline))
        client.bringOnline(at: 1)
        let lost = client.handle(.networkLost, at: 100)
        #expect(
            lost == [
                .schedule(.reconnect, tag: 2, at: instant(101)), .truth(present: false, cause: .vanish), .link(nil),
            ])
        var at = 101.0
        for delay in [2.0, 4, 8, 10, 10] {
            #expect(client.fire(.reconnect, tag: 2, at: at) == [.schedule(.reconnect, tag: 2, at: instant(at + delay))])
            at += delay
        }
        #expect(at == 135)
        // A second loss (a partition during an outage) and one restoration: still down.
        #expect(client.handle(.networkLost, at: 136).isEmpty)
        #expect(client.handle(.networkRestored, at: 137).isEmpty)
        #expect(client.receive(.presence(rid(0), entry(1, .online)), at: 138).isEmpty)
        #expect(client.handle(.networkRestored, at: 140) == [.truth(present: true, cause: .vanish)])
        #expect(client.handle(.networkRestored, at: 141).isEmpty)
        #expect(client.fire(.reconnect, tag: 2, at: 145) == [.send(.connect(2)), .link(2)])
        // The handshake for the old connection is ignored; the new one is accepted.
        #expect(client.receive(.connected(1, snapshots: client.emptySnapshots), at: 145.1) == [.received])
        #expect(
            sends(in: client.receive(.connected(2, snapshots: client.emptySnapshots), at: 145.1)) == [
                .heartbeat(.online, room: rid(0))
            ])
    }

    /// Design B has no connection to lose: truth turns absent, and its requests keep being made but are
    /// sent with the network down (nothing leaves the device) until the network is back.
    @Test func networkLossOnHTTPPollingLosesRequests() throws {
        var client = ClientDriver(try handScenario(design: "http-polling", behavior: alwaysOnline))
        client.bringOnline(at: 1, socket: false)
        #expect(client.handle(.networkLost, at: 10) == [.truth(present: false, cause: .vanish)])
        #expect(
            client.fire(.heartbeat, tag: 1, at: 31) == [
                .send(.heartbeat(.online, room: nil), networkDown: true),
                .schedule(.heartbeat, tag: 1, at: instant(61)),
            ])
        #expect(client.receive(.roomSnapshot(view(0, [])), at: 32).isEmpty)
        #expect(client.handle(.networkRestored, at: 40) == [.truth(present: true, cause: .vanish)])
        #expect(sends(in: client.fire(.heartbeat, tag: 1, at: 61)) == [.heartbeat(.online, room: nil)])
        #expect(client.fire(.heartbeat, tag: 1, at: 91).first == .send(.heartbeat(.online, room: nil)))
    }

    /// The server closing the socket (a restart) drops the connection and reconnects after the backoff;
    /// the client stays truly online.
    @Test func serverCloseReconnects() throws {
        var client = ClientDriver(try handScenario(design: "ttl-entries", behavior: alwaysOnline))
        let tag = client.bringOnline(at: 1)
        #expect(
            client.receive(.closed, at: 200) == [
                .received, .schedule(.reconnect, tag: 2, at: instant(201)), .link(nil),
            ])
        #expect(client.fire(.heartbeat, tag: tag, at: 201).isEmpty)
        // Pushes for the dead socket are dropped.
        #expect(client.receive(.presence(rid(0), entry(1, .online)), at: 200.5) == [.received])
        #expect(client.fire(.reconnect, tag: 2, at: 201) == [.send(.connect(2)), .link(2)])
    }

    // MARK: Typing

    private static let typingBehavior = """
        {"online": "never", "offline": "never",
         "typing": {"burstsPerHour": 1, "burst": {"constant": "2s"}, "keystroke": "500ms"}}
        """

    /// Design A: typing:true on every keystroke, typing:false 1.5 s after the last one; the truth turns
    /// on with the burst and off after its last keystroke.
    @Test func typingBurstOnSocketIORedisSendsEveryKeystroke() throws {
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: Self.typingBehavior))
        #expect(scheduled(.burstStart, in: client.handle(.start, at: 0)).count == 1)
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        _ = client.receive(.connected(1, snapshots: client.emptySnapshots), at: 1.1)
        let burst = client.fire(.burstStart, tag: 0, at: 10)
        let nextBurst = try #require(scheduled(.burstStart, in: burst).first)
        #expect(nextBurst.at > instant(10) && burst.first == .schedule(.burstStart, tag: 0, at: nextBurst.at))
        #expect(
            Array(burst.dropFirst()) == [
                .truthTyping(true, room: rid(0)), .send(.typing(rid(0), true)),
                .schedule(.typingStop, tag: 1, at: instant(11.5)), .schedule(.keystroke, tag: 1, at: instant(10.5)),
            ])
        for (index, at) in [10.5, 11.0, 11.5].enumerated() {
            #expect(
                client.fire(.keystroke, tag: 1, at: at) == [
                    .send(.typing(rid(0), true)),
                    .schedule(.typingStop, tag: UInt32(index + 2), at: instant(at + 1.5)),
                    .schedule(.keystroke, tag: 1, at: instant(at + 0.5)),
                ])
        }
        #expect(
            client.fire(.keystroke, tag: 1, at: 12) == [
                .send(.typing(rid(0), true)), .schedule(.typingStop, tag: 5, at: instant(13.5)),
                .truthTyping(false, room: rid(0)),
            ])
        #expect(client.fire(.keystroke, tag: 1, at: 12.5).isEmpty)
        #expect(client.fire(.typingStop, tag: 4, at: 13).isEmpty)
        #expect(client.fire(.typingStop, tag: 5, at: 13.5) == [.send(.typing(rid(0), false))])
        #expect(client.fire(.typingStop, tag: 5, at: 13.5).isEmpty)
    }

    /// Design C throttles typing:true to one per `typingThrottle` (1 s) and stops after 3 s.
    @Test func typingBurstOnTTLEntriesIsThrottled() throws {
        var client = ClientDriver(try handScenario(design: "ttl-entries", behavior: Self.typingBehavior))
        client.bringOnline(at: 1)
        let burst = client.fire(.burstStart, tag: 0, at: 10)
        #expect(
            Array(burst.dropFirst()) == [
                .truthTyping(true, room: rid(0)), .send(.typing(rid(0), true)),
                .schedule(.typingStop, tag: 1, at: instant(13)), .schedule(.keystroke, tag: 1, at: instant(10.5)),
            ])
        #expect(sends(in: client.fire(.keystroke, tag: 1, at: 10.5)).isEmpty)
        #expect(sends(in: client.fire(.keystroke, tag: 1, at: 11)) == [.typing(rid(0), true)])
        #expect(sends(in: client.fire(.keystroke, tag: 1, at: 11.5)).isEmpty)
        #expect(
            client.fire(.keystroke, tag: 1, at: 12) == [
                .send(.typing(rid(0), true)), .schedule(.typingStop, tag: 5, at: instant(15)),
                .truthTyping(false, room: rid(0)),
            ])
        #expect(client.fire(.typingStop, tag: 5, at: 15) == [.send(.typing(rid(0), false))])
    }

    /// No burst while the client is away from the screen; hiding mid-burst ends the typing truth.
    @Test func typingNeedsAPresentVisibleClient() throws {
        let behavior = """
            {"online": "never", "offline": "never", "hidden": {"every": {"constant": "1h"}, "for": {"constant": "1m"}},
             "typing": {"burstsPerHour": 1, "burst": {"constant": "2s"}, "keystroke": "500ms"}}
            """
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: behavior))
        _ = client.handle(.start, at: 0)
        // Not online yet: only the next burst is scheduled.
        let offline = client.fire(.burstStart, tag: 0, at: 0.5)
        #expect(offline.count == 1 && scheduled(.burstStart, in: offline).count == 1)
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        _ = client.receive(.connected(1, snapshots: client.emptySnapshots), at: 1.1)
        #expect(client.fire(.burstStart, tag: 0, at: 10).contains(.truthTyping(true, room: rid(0))))
        #expect(
            client.fire(.hide, tag: 0, at: 10.2) == [
                .schedule(.show, tag: 0, at: instant(70.2)), .truthTyping(false, room: rid(0)),
            ])
        #expect(client.fire(.keystroke, tag: 1, at: 10.5).isEmpty)
        let hidden = client.fire(.burstStart, tag: 0, at: 20)
        #expect(hidden.count == 1 && scheduled(.burstStart, in: hidden).count == 1)
    }

    // MARK: Invalid inputs

    /// A spell starting while one is running cannot come from the model's own timers: it stops with the
    /// state, as a state machine's impossible transition should, instead of being ignored.
    @Test func aSecondSpellStartWhileOnlineStopsWithTheState() async throws {
        await #expect(processExitsWith: .failure) {
            var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: alwaysOnline))
            _ = client.handle(.start, at: 0)
            _ = client.fire(.comeOnline, tag: 0, at: 1)
            _ = client.fire(.comeOnline, tag: 0, at: 2)
        }
    }

    @Test func invalidInputsDoNothing() throws {
        var client = ClientDriver(try handScenario(design: "socketio-redis", behavior: alwaysOnline))
        _ = client.handle(.start, at: 0)
        // Offline: no message is received.
        #expect(client.receive(.connected(1, snapshots: client.emptySnapshots), at: 0.5).isEmpty)
        #expect(client.receive(.presence(rid(0), entry(1, .online)), at: 0.5).isEmpty)
        #expect(client.receive(.closed, at: 0.5).isEmpty)
        // A comeOnline with a wrong tag is stale.
        #expect(client.fire(.comeOnline, tag: 7, at: 0.6).isEmpty)
        _ = client.fire(.comeOnline, tag: 0, at: 1)
        // A handshake for another connection: received, but nothing changes.
        #expect(client.receive(.connected(2, snapshots: [view(0, [entry(1, .online)])]), at: 1.1) == [.received])
        let handshake = client.receive(.connected(1, snapshots: client.emptySnapshots), at: 1.1)
        let tag = try #require(scheduled(.heartbeat, in: handshake).first?.tag)
        // A second handshake for the same connection is ignored too.
        #expect(client.receive(.connected(1, snapshots: client.emptySnapshots), at: 1.2) == [.received])
        // Stale timers: wrong tags, or a timer for a state the client is not in.
        #expect(client.fire(.heartbeat, tag: tag &+ 1, at: 3).isEmpty)
        #expect(client.fire(.heartbeat, tag: tag &- 1, at: 3).isEmpty)
        #expect(client.fire(.reconnect, tag: tag, at: 3).isEmpty)
        #expect(client.fire(.spellEnd, tag: 1, at: 3).isEmpty)
        #expect(client.fire(.keystroke, tag: 0, at: 3).isEmpty)
        #expect(client.fire(.typingStop, tag: 0, at: 3).isEmpty)
        #expect(client.fire(.suspend, tag: 0, at: 3).isEmpty)
        #expect(client.fire(.pollRoom, tag: tag, at: 3).isEmpty)  // Design A does not poll.
        #expect(client.handle(.networkRestored, at: 3).isEmpty)
        // The state machine is still intact.
        #expect(sends(in: client.fire(.heartbeat, tag: tag, at: 21.1)) == [.heartbeat(.online, room: nil)])
    }
}

private func pow2(_ exponent: Int) -> Double { Double(1 << exponent) }
