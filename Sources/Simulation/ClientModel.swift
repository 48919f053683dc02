import Foundation
import PresenceCore
import Scenario

/// The device a client runs on; it decides what happens when the app or tab goes to the background.
public enum Platform: UInt8, Sendable {
    /// A browser tab: hidden tabs get throttled timers (Chrome aligns them to 1 s, then, after 5 minutes
    /// hidden, chained timers fire only on 1-minute boundaries).
    case desktop
    /// iOS suspends a backgrounded app after a few seconds and its socket dies.
    case ios
    /// Android keeps the socket, but Doze defers network traffic to maintenance windows.
    case android
}

/// Why a client stopped being truly online.
public enum DepartureCause: UInt8, Sendable, CaseIterable {
    /// A clean leave: close, `leave()`, or an offline beacon.
    case graceful
    /// The app was killed or crashed; the OS closes the socket, so a socket server sees a close.
    case crash
    /// The client disappeared without a trace: network loss, a dead battery, a partition.
    case vanish
    /// An iOS app suspended in the background.
    case suspended

    public var name: String {
        switch self {
        case .graceful: "graceful"
        case .crash: "crash"
        case .vanish: "vanish"
        case .suspended: "suspended"
        }
    }
}

/// A client's timers. Each carries a tag; a timer whose tag no longer matches the client's current
/// session, spell or episode is stale and does nothing, so timers never need cancelling.
public enum ClientTimer: UInt8, Sendable {
    case comeOnline, spellEnd
    case hide, show, suspend
    case idleStart, idleEnd
    case outageStart, outageEnd
    case burstStart, keystroke, typingStop
    case heartbeat, reconnect
    case pollRoom, pollUsers, pollTyping
    /// A surge fault's arrival (see ``ClientInput/surge(after:)``).
    case surgeArrival
}

/// An input to a client's behaviour model.
public enum ClientInput: Hashable, Sendable {
    /// The run begins.
    case start
    case timer(ClientTimer, tag: UInt32)
    /// A message from the server arrives.
    case message(Inbound)
    /// A partition fault takes the client's network away, or gives it back.
    case networkLost
    case networkRestored
    /// A surge fault: a client offline now (between online spells) comes online after `after`, or
    /// sooner if its own next spell starts sooner; a client in a spell ignores it.
    case surge(after: Interval)
}

/// What handling an input asks the engine to do, in order.
public enum ClientEffect: Hashable, Sendable {
    /// The client sends a message; `networkDown` when the device has no network, so nothing leaves it.
    /// The router decides when (and whether) it arrives.
    case send(Uplink, networkDown: Bool = false)
    case schedule(ClientTimer, tag: UInt32, at: Instant)
    /// Ground truth: the client became truly online (connected and reachable) or stopped being so.
    case truth(present: Bool, cause: DepartureCause)
    /// Ground truth: the user started or stopped typing in the room.
    case truthTyping(Bool, room: RoomID)
    /// What this client's screen shows about another member of the room changed.
    case show(RoomID, ViewEntry)
    case showTyping(RoomID, subject: ClientID, isTyping: Bool)
    /// The status dot this client's screen shows on another member's avatar (design B's user poll): a
    /// listed member whose dot says offline is shown offline.
    case showStatus(ViewEntry)
    /// The client's screen of a room was repainted from a snapshot (members not in it show offline).
    case showAll(RoomView)
    case showAllTyping(RoomID, [ClientID])
    /// A fresh page or app launch: nothing is shown yet.
    case clearView
    /// The connection the server can reach this client on (nil when none): transport pings use it.
    case link(ConnectionID?)
    /// A message reached the client (its radio woke up for it).
    case received
}

/// One client's behaviour: a state machine over its session, visibility, network and typing.
///
/// The model is pure: `handle` takes the input and the current instant, mutates the client's own state
/// and appends effects; it never reads a clock or touches another client. Both engines run exactly this
/// code — the `events` engine on an array of these, the `actors` engine inside one actor per client.
public struct ClientModel: Sendable {
    private enum Connection: Equatable {
        case none
        case connecting(ConnectionID)
        case connected(ConnectionID)

        var id: ConnectionID? {
            switch self {
            case .none: nil
            case .connecting(let id), .connected(let id): id
            }
        }
    }

    /// Where the client's page or app is. Every input is judged against it; a combination the old loose
    /// flags allowed (suspended but visible, hidden between spells) cannot be represented.
    private enum Session: Equatable, CustomStringConvertible {
        /// Between online spells: the page is closed, the app not running.
        case offline
        /// Running in the foreground.
        case visible
        /// Running in the background since `since` (a hidden tab, a backgrounded app).
        case hidden(since: Instant)
        /// An iOS app suspended in the background: it runs nothing and its socket is dead.
        case suspended

        /// Whether the page or app runs (and so can send, receive and be truly online).
        var isRunning: Bool {
            switch self {
            case .visible, .hidden: true
            case .offline, .suspended: false
            }
        }

        var description: String {
            switch self {
            case .offline: "offline"
            case .visible: "visible"
            case .hidden(let since): "hidden since \(since)"
            case .suspended: "suspended"
            }
        }
    }

    // The stored properties are in this order for size and locality: a run holds up to a million
    // models, and the first read of one is usually a cache miss. What a heartbeat or a message reads
    // comes first, within 64 bytes; the one-byte flags fill what would otherwise be padding. The model
    // is 136 bytes instead of 152.

    private let settings: ModelSettings
    private var random: RandomStream
    /// The reconnect backoff's jitter: a protocol draw, kept off the behaviour stream so that how often
    /// a client reconnects never shifts what its user does.
    private var reconnectJitter: RandomStream
    public let id: ClientID
    /// Counts sessions (a page or app run, or one socket connection); session timers carry it.
    private var epoch: UInt32 = 0
    private var connection = Connection.none
    private var link: ConnectionID?
    public let platform: Platform

    // Ground truth inputs (more below).
    private var session = Session.offline
    private var networkDown: UInt8 = 0
    private var present = false
    private var idle = false
    private var inBurst = false
    private var typingTruth = false
    private var typingAnnounced = false
    /// The room of the current typing burst, as an index into the rooms the client types in.
    private var typingRoomIndex: UInt16 = 0

    // Tags for stale-timer detection (and `epoch` above).
    private var spellTag: UInt32 = 0
    private var hideTag: UInt32 = 0
    private var burstTag: UInt32 = 0
    private var keystrokeTag: UInt32 = 0

    // Connection and protocol state.
    private var nextConnection: ConnectionID = 0
    /// Who is in which room: the client's rooms, and their sizes for design B's user poll batching.
    private let population: Population
    private var reconnectAttempt: Int = 0
    private var lastTypingSent: Instant?

    // Ground truth inputs read only by the episodes they belong to.
    private var burstEnd = Instant.zero
    private var lastInput = Instant.zero

    public init(id: ClientID, population: Population, settings: ModelSettings) {
        self.id = id
        self.population = population
        self.settings = settings
        var random = RandomStream(seed: settings.seed, stream: UInt64(id.rawValue), purpose: .behavior)
        if let mobile = settings.behavior(of: id).mobile, random.chance(mobile.share) {
            platform = random.chance(mobile.ios) ? .ios : .android
        } else {
            platform = .desktop
        }
        self.random = random
        reconnectJitter = RandomStream(seed: settings.seed, stream: UInt64(id.rawValue), purpose: .reconnect)
    }

    /// Handles one input at `now`, appending what it causes to `effects`.
    public mutating func handle(_ input: ClientInput, now: Instant, into effects: inout [ClientEffect]) {
        switch input {
        case .start: start(now, &effects)
        case .timer(let timer, let tag): fire(timer, tag: tag, now, &effects)
        case .message(let message): receive(message, now, &effects)
        case .networkLost: loseNetwork(now, &effects)
        case .networkRestored: restoreNetwork(now, &effects)
        case .surge(let delay):
            if session == .offline { effects.append(.schedule(.surgeArrival, tag: spellTag, at: now + delay)) }
        }
        refreshLink(&effects)
    }

    // MARK: Lifecycle

    private var usesSocket: Bool { settings.presence.design != .httpPolling }
    private var protocolSettings: PresenceProtocol { settings.presence }
    private var behavior: Behavior { settings.behavior(of: id) }
    private var network: Network { settings.network(of: id) }

    private mutating func start(_ now: Instant, _ effects: inout [ClientEffect]) {
        // Start in the steady state: online with the long-run share of time online, and spread the
        // first connections over a fixed window so the run does not open with a synchronized storm. The
        // window is behaviour, not protocol: a run that changes only the heartbeat has the same arrivals.
        if let curve = settings.arrivalCurve(of: id), let profile = behavior.profile {
            // With a profile the client is online at the start with the curve's share there, and
            // otherwise waits for its first arrival from the curve.
            if random.chance(profile.share(at: .zero)) {
                let offset = Interval(seconds: random.unit() * initialArrivalSpread.seconds)
                effects.append(.schedule(.comeOnline, tag: spellTag, at: now + offset))
            } else if let gap = curve.nextGap(after: now, &random) {
                effects.append(.schedule(.comeOnline, tag: spellTag, at: now + gap))
            }
            startEpisodes(now, &effects)
            return
        }
        let onlineMean = behavior.online.meanSeconds
        let offlineMean = behavior.offline.meanSeconds
        let onlineShare: Double =
            if let onlineMean, let offlineMean { onlineMean / (onlineMean + offlineMean) } else { 1 }
        if random.chance(onlineShare) {
            let offset = Interval(seconds: random.unit() * initialArrivalSpread.seconds)
            effects.append(.schedule(.comeOnline, tag: spellTag, at: now + offset))
        } else if let gap = behavior.offline.sample(&random) {
            let offset = Interval(seconds: random.unit() * gap.seconds)
            effects.append(.schedule(.comeOnline, tag: spellTag, at: now + offset))
        }
        startEpisodes(now, &effects)
    }

    /// Schedules the first hidden, idle and outage episodes and typing burst.
    private mutating func startEpisodes(_ now: Instant, _ effects: inout [ClientEffect]) {
        if let hiddenEpisodes = behavior.hidden, let first = hiddenEpisodes.every.sample(&random) {
            effects.append(.schedule(.hide, tag: 0, at: now + first))
        }
        if let idleEpisodes = behavior.idle, let first = idleEpisodes.every.sample(&random) {
            effects.append(.schedule(.idleStart, tag: 0, at: now + first))
        }
        if let outages = network.outages, let first = outages.every.sample(&random) {
            effects.append(.schedule(.outageStart, tag: 0, at: now + first))
        }
        scheduleNextBurst(now, &effects)
    }

    private mutating func fire(_ timer: ClientTimer, tag: UInt32, _ now: Instant, _ effects: inout [ClientEffect]) {
        switch timer {
        case .comeOnline where tag == spellTag: comeOnline(now, &effects)
        case .surgeArrival where tag == spellTag && session == .offline:
            // The spell's tag changes so that the client's own pending arrival is stale.
            spellTag &+= 1
            comeOnline(now, &effects)
        case .spellEnd where tag == spellTag: endSpell(now, &effects)
        case .hide: hide(now, &effects)
        case .show: show(now, &effects)
        case .suspend where tag == hideTag:
            if case .hidden = session { suspend(now, &effects) }  // Else shown again before the suspension.
        case .idleStart: setIdle(true, now, &effects)
        case .idleEnd: setIdle(false, now, &effects)
        case .outageStart:
            if let outages = network.outages, let length = outages.duration.sample(&random) {
                effects.append(.schedule(.outageEnd, tag: 0, at: now + length))
                loseNetwork(now, &effects)
            }
        case .outageEnd:
            restoreNetwork(now, &effects)
            if let outages = network.outages, let next = outages.every.sample(&random) {
                effects.append(.schedule(.outageStart, tag: 0, at: now + next))
            }
        case .burstStart: startBurst(now, &effects)
        case .keystroke where tag == burstTag && inBurst: keystroke(now, &effects)
        case .typingStop where tag == keystrokeTag: stopTyping(now, &effects)
        case .heartbeat where tag == epoch: heartbeat(now, &effects)
        case .reconnect where tag == epoch: reconnect(now, &effects)
        case .pollRoom where tag == epoch:
            if case .poll(let interval) = protocolSettings.delivery {
                for room in presenceRooms { send(.pollRoom(room), now, &effects) }
                effects.append(.schedule(.pollRoom, tag: epoch, at: throttled(now + interval)))
            }
        case .pollUsers where tag == epoch:
            if let interval = protocolSettings.userPoll {
                for room in presenceRooms {
                    let peers = population.size(of: room) - 1
                    let requests = (peers + protocolSettings.userPollBatch - 1) / protocolSettings.userPollBatch
                    if requests > 0 { send(.pollUsers(room, requests: requests), now, &effects) }
                }
                effects.append(.schedule(.pollUsers, tag: epoch, at: throttled(now + interval)))
            }
        case .pollTyping where tag == epoch:
            if let interval = protocolSettings.typingPoll {
                for room in typingRooms { send(.pollTyping(room), now, &effects) }
                effects.append(.schedule(.pollTyping, tag: epoch, at: throttled(now + interval)))
            }
        default:
            break  // A stale timer: its session, spell, episode or burst has ended.
        }
    }

    private mutating func comeOnline(_ now: Instant, _ effects: inout [ClientEffect]) {
        // Only `start` and the end of a spell schedule a spell's start, so a spell never starts twice.
        guard session == .offline else { invalid("comeOnline") }
        session = .visible
        idle = false
        lastInput = now
        effects.append(.clearView)
        if let length = behavior.online.sample(&random) {
            effects.append(.schedule(.spellEnd, tag: spellTag, at: now + length))
        }
        updateTruth(now, cause: .graceful, &effects)
        beginSession(now, &effects)
    }

    private mutating func endSpell(_ now: Instant, _ effects: inout [ClientEffect]) {
        // A spell's end timer carries the spell's tag, which leaving the spell changes.
        guard session != .offline else { invalid("spellEnd") }
        let cause: DepartureCause =
            random.chance(behavior.graceful) ? .graceful : (random.chance(behavior.vanish) ? .vanish : .crash)
        switch cause {
        case .graceful:
            if usesSocket {
                if let id = connection.id {
                    if settings.presence.design == .ttlEntries {
                        for room in presenceRooms { send(.leave(room), now, &effects) }
                    }
                    send(.close(id), now, &effects)
                }
            } else if protocolSettings.offlineOnLeave {
                send(.beacon(.offline), now, &effects)
                for room in presenceRooms { send(.leaveRoom(room), now, &effects) }
            }
        case .crash:
            // The OS closes the killed app's socket; an HTTP client just stops.
            if usesSocket, let id = connection.id { send(.close(id), now, &effects) }
        case .vanish, .suspended:
            break
        }
        leaveSpell(now, cause: cause, &effects)
    }

    /// Ends the online spell: the page or app is gone until the next spell.
    private mutating func leaveSpell(_ now: Instant, cause: DepartureCause, _ effects: inout [ClientEffect]) {
        session = .offline
        spellTag &+= 1
        endSession()
        updateTruth(now, cause: cause, &effects)
        let gap =
            settings.arrivalCurve(of: id).map { $0.nextGap(after: now, &random) } ?? behavior.offline.sample(&random)
        if let gap {
            effects.append(.schedule(.comeOnline, tag: spellTag, at: now + gap))
        }
    }

    // MARK: Sessions and connections

    /// Starts a page or app session: a socket connection, or design B's join, heartbeat and polls.
    private mutating func beginSession(_ now: Instant, _ effects: inout [ClientEffect]) {
        epoch &+= 1
        reconnectAttempt = 0
        if usesSocket {
            connect(now, &effects)
            return
        }
        for room in presenceRooms { send(.joinRoom(room), now, &effects) }
        sendHeartbeat(now, &effects)
        effects.append(.schedule(.heartbeat, tag: epoch, at: throttled(now + protocolSettings.heartbeat)))
        startPolls(now, &effects)
    }

    private func startPolls(_ now: Instant, _ effects: inout [ClientEffect]) {
        if case .poll = protocolSettings.delivery { effects.append(.schedule(.pollRoom, tag: epoch, at: now)) }
        if protocolSettings.userPoll != nil { effects.append(.schedule(.pollUsers, tag: epoch, at: now)) }
        if let interval = protocolSettings.typingPoll {
            effects.append(.schedule(.pollTyping, tag: epoch, at: now + interval))
        }
    }

    private mutating func endSession() {
        epoch &+= 1
        connection = .none
    }

    private mutating func connect(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard networkDown == 0 else {
            scheduleReconnect(now, &effects)
            return
        }
        nextConnection &+= 1
        connection = .connecting(nextConnection)
        send(.connect(nextConnection), now, &effects)
    }

    private mutating func scheduleReconnect(_ now: Instant, _ effects: inout [ClientEffect]) {
        let backoff = protocolSettings.reconnect
        var delay = backoff.initial.seconds * pow(backoff.multiplier, Double(min(reconnectAttempt, 64)))
        delay = min(delay, backoff.max.seconds)
        if backoff.jitter > 0 {
            delay *= 1 + backoff.jitter * (2 * reconnectJitter.unit() - 1)
        }
        reconnectAttempt += 1
        effects.append(.schedule(.reconnect, tag: epoch, at: now + Interval(seconds: min(delay, backoff.max.seconds))))
    }

    private mutating func reconnect(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard session.isRunning, connection == .none else { return }
        connect(now, &effects)
    }

    /// The socket died under the client (its network went, or the server closed it): reconnect.
    private mutating func dropConnection(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard usesSocket, connection != .none else { return }
        epoch &+= 1
        connection = .none
        scheduleReconnect(now, &effects)
    }

    private mutating func heartbeat(_ now: Instant, _ effects: inout [ClientEffect]) {
        if !usesSocket || connection != .none {
            sendHeartbeat(now, &effects)
        }
        effects.append(.schedule(.heartbeat, tag: epoch, at: throttled(now + protocolSettings.heartbeat)))
    }

    /// The rooms whose members see the client's presence (its threads left out).
    private var presenceRooms: ArraySlice<RoomID> { population.presenceRooms(of: id) }

    /// The rooms the client types in: its threads, when the scenario has threads.
    private var typingRooms: ArraySlice<RoomID> { population.typingRooms(of: id) }

    /// The room of the current (or last) typing burst.
    private var typingRoom: RoomID {
        let rooms = typingRooms
        return rooms[rooms.startIndex + Int(typingRoomIndex)]
    }

    /// Refreshes the client's presence: its own key (designs A and B), or each room's entry (design C,
    /// whose API is per room).
    private func sendHeartbeat(_ now: Instant, _ effects: inout [ClientEffect]) {
        let status = currentStatus(now)
        if settings.presence.design == .ttlEntries {
            for room in presenceRooms { send(.heartbeat(status, room: room), now, &effects) }
        } else {
            send(.heartbeat(status, room: nil), now, &effects)
        }
    }

    /// The status design B computes at each heartbeat: away after the idle threshold without input.
    private func currentStatus(_ now: Instant) -> PresenceStatus {
        guard let away = protocolSettings.away else { return .online }
        let lastActivity = isActive ? now : lastInput
        return now - lastActivity >= away ? .away : .online
    }

    /// Whether the user is at the screen producing input.
    private var isActive: Bool { session == .visible && !idle }

    // MARK: Visibility, idleness, network

    private mutating func hide(_ now: Instant, _ effects: inout [ClientEffect]) {
        if let episodes = behavior.hidden, let length = episodes.duration.sample(&random) {
            effects.append(.schedule(.show, tag: 0, at: now + length))
        }
        guard session == .visible else { return }
        if isActive { lastInput = now }
        session = .hidden(since: now)
        hideTag &+= 1
        endBurst(&effects)
        if protocolSettings.awayOnHidden { send(.beacon(.away), now, &effects) }
        if platform == .ios, let mobile = behavior.mobile {
            let delay = random.chance(mobile.backgroundTask) ? iosBackgroundTaskLimit : mobile.suspendAfter
            effects.append(.schedule(.suspend, tag: hideTag, at: now + delay))
        }
    }

    private mutating func show(_ now: Instant, _ effects: inout [ClientEffect]) {
        if let episodes = behavior.hidden, let next = episodes.every.sample(&random) {
            effects.append(.schedule(.hide, tag: 0, at: now + next))
        }
        let wasSuspended: Bool
        switch session {
        case .offline, .visible: return
        case .hidden: wasSuspended = false
        case .suspended: wasSuspended = true
        }
        session = .visible
        if !idle { lastInput = now }
        if wasSuspended {
            updateTruth(now, cause: .suspended, &effects)
            beginSession(now, &effects)
        } else if protocolSettings.awayOnHidden {
            sendHeartbeat(now, &effects)
        }
    }

    private mutating func suspend(_ now: Instant, _ effects: inout [ClientEffect]) {
        session = .suspended
        endSession()
        updateTruth(now, cause: .suspended, &effects)
        if let mobile = behavior.mobile, random.chance(mobile.killWhileSuspended) {
            leaveSpell(now, cause: .suspended, &effects)
        }
    }

    private mutating func setIdle(_ isIdle: Bool, _ now: Instant, _ effects: inout [ClientEffect]) {
        guard let episodes = behavior.idle else { return }
        let next = isIdle ? episodes.duration.sample(&random) : episodes.every.sample(&random)
        if let next { effects.append(.schedule(isIdle ? .idleEnd : .idleStart, tag: 0, at: now + next)) }
        if isActive || (!isIdle && session == .visible) { lastInput = now }
        idle = isIdle
    }

    private mutating func loseNetwork(_ now: Instant, _ effects: inout [ClientEffect]) {
        networkDown += 1
        guard networkDown == 1 else { return }
        endBurst(&effects)
        dropConnection(now, &effects)
        updateTruth(now, cause: .vanish, &effects)
    }

    private mutating func restoreNetwork(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard networkDown > 0 else { return }
        networkDown -= 1
        updateTruth(now, cause: .vanish, &effects)
    }

    // MARK: Typing

    private mutating func scheduleNextBurst(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard let typing = behavior.typing, typing.burstsPerHour > 0 else { return }
        let gap = Interval(seconds: min(random.exponential(mean: 3600 / typing.burstsPerHour), longestDraw.seconds))
        effects.append(.schedule(.burstStart, tag: 0, at: now + gap))
    }

    private mutating func startBurst(_ now: Instant, _ effects: inout [ClientEffect]) {
        scheduleNextBurst(now, &effects)
        guard present, session == .visible, !inBurst, let typing = behavior.typing,
            let length = typing.burst.sample(&random)
        else { return }
        let rooms = typingRooms
        // A client that follows no thread does not type.
        guard !rooms.isEmpty else { return }
        if rooms.count > 1 {
            // The burst happens in one of the client's rooms; a typing indicator still up elsewhere goes.
            let index = UInt16(random.next() % UInt64(rooms.count))
            if index != typingRoomIndex && typingAnnounced {
                stopTyping(now, &effects)
            }
            typingRoomIndex = index
        }
        inBurst = true
        burstTag &+= 1
        burstEnd = now + length
        typingTruth = true
        effects.append(.truthTyping(true, room: typingRoom))
        keystroke(now, &effects)
    }

    private mutating func keystroke(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard let typing = behavior.typing else { return }
        lastInput = now
        if lastTypingSent.map({ now - $0 >= protocolSettings.typingThrottle }) ?? true {
            if !usesSocket || connection != .none {
                send(.typing(typingRoom, true), now, &effects)
                lastTypingSent = now
                typingAnnounced = true
            }
        }
        keystrokeTag &+= 1
        effects.append(.schedule(.typingStop, tag: keystrokeTag, at: now + protocolSettings.typingStop))
        let next = now + typing.keystroke
        if next <= burstEnd {
            effects.append(.schedule(.keystroke, tag: burstTag, at: next))
        } else {
            endBurst(&effects)
        }
    }

    /// The user stops typing (the burst is over, or the tab went away).
    private mutating func endBurst(_ effects: inout [ClientEffect]) {
        inBurst = false
        if typingTruth {
            typingTruth = false
            effects.append(.truthTyping(false, room: typingRoom))
        }
    }

    private mutating func stopTyping(_ now: Instant, _ effects: inout [ClientEffect]) {
        guard typingAnnounced else { return }
        typingAnnounced = false
        lastTypingSent = nil
        if !usesSocket || connection != .none { send(.typing(typingRoom, false), now, &effects) }
    }

    // MARK: Messages

    private mutating func receive(_ message: Inbound, _ now: Instant, _ effects: inout [ClientEffect]) {
        // A message reaches only a running page or app with network; a socket message only its socket.
        guard session.isRunning, networkDown == 0 else { return }
        effects.append(.received)
        switch message {
        case .connected(let id, let snapshots):
            guard connection == .connecting(id) else { return }
            connection = .connected(id)
            reconnectAttempt = 0
            for snapshot in snapshots { effects.append(.showAll(snapshot)) }
            sendHeartbeat(now, &effects)
            effects.append(.schedule(.heartbeat, tag: epoch, at: throttled(now + protocolSettings.heartbeat)))
            startPolls(now, &effects)
        case .closed:
            dropConnection(now, &effects)
        case .presence(let room, let entry):
            guard !usesSocket || connection != .none else { return }
            effects.append(.show(room, entry))
        case .presenceBatch(let room, let entries):
            guard !usesSocket || connection != .none else { return }
            for entry in entries where entry.subject != id { effects.append(.show(room, entry)) }
        case .typing(let room, let subject, let isTyping):
            guard !usesSocket || connection != .none else { return }
            effects.append(.showTyping(room, subject: subject, isTyping: isTyping))
        case .roomSnapshot(let view):
            effects.append(.showAll(view))
        case .typingSnapshot(let room, let typing):
            effects.append(.showAllTyping(room, typing))
        case .usersAnswer(let users):
            // Each avatar's dot shows the status the poll returned.
            for user in users where user.subject != id { effects.append(.showStatus(user)) }
        }
    }

    /// Sends a message; nothing leaves while the network is down.
    private func send(_ message: Uplink, _ now: Instant, _ effects: inout [ClientEffect]) {
        effects.append(.send(message, networkDown: networkDown > 0))
    }

    // MARK: Truth

    private mutating func updateTruth(_ now: Instant, cause: DepartureCause, _ effects: inout [ClientEffect]) {
        let isPresent = session.isRunning && networkDown == 0
        guard isPresent != present else { return }
        present = isPresent
        if !isPresent { endBurst(&effects) }
        effects.append(.truth(present: isPresent, cause: cause))
    }

    private mutating func refreshLink(_ effects: inout [ClientEffect]) {
        let reachable = present ? connection.id : nil
        if reachable != link {
            link = reachable
            effects.append(.link(reachable))
        }
    }

    /// An input the session state makes impossible: a bug in the model, not something a scenario can
    /// cause. Stops with the client, the input and every piece of state that judged it.
    private func invalid(_ input: String) -> Never {
        preconditionFailure(
            "\(id): \(input) in session \(session), connection \(connection), network down \(networkDown)")
    }

    /// When a chained timer due at `due` really fires: hidden browser tabs align timers to 1 s and, after
    /// 5 minutes hidden, to whole minutes (Chrome's intensive throttling); a dozing Android app's traffic
    /// waits for the next maintenance window.
    private func throttled(_ due: Instant) -> Instant {
        guard case .hidden(let hiddenSince) = session else { return due }
        switch platform {
        case .desktop:
            let step = due - hiddenSince >= chromeIntensiveThrottlingDelay ? Interval.minutes(1) : Interval.seconds(1)
            return due.roundedUp(to: step)
        case .android:
            guard let mobile = behavior.mobile, due - hiddenSince >= mobile.dozeAfter else { return due }
            return due.roundedUp(to: mobile.dozeWindow)
        case .ios:
            return due
        }
    }
}

/// Always-online clients' first arrivals are spread uniformly over this window from the start.
let initialArrivalSpread = Interval.minutes(1)
/// Chrome throttles chained timers of a tab hidden this long to 1-minute boundaries.
let chromeIntensiveThrottlingDelay = Interval.minutes(5)
/// How long an iOS background task may keep a backgrounded app running.
let iosBackgroundTaskLimit = Interval.seconds(30)

extension Instant {
    /// The first multiple of `step` at or after this instant.
    func roundedUp(to step: Interval) -> Instant {
        guard step.nanoseconds > 0 else { return self }
        let remainder = nanoseconds % step.nanoseconds
        return remainder == 0 ? self : Instant(nanoseconds: nanoseconds - remainder + step.nanoseconds)
    }
}
