import PresenceCore
import Scenario

/// Everything a run measured: staleness, cost and fan-out over the measured window (after warm-up).
public struct Measurements: Sendable {
    /// What observers (connected clients in a shared room) saw.
    public var observers = StalenessStats()
    /// What the store's own read path shows (design A: the family set; B: the room read, members with a
    /// live key; C: the live entries).
    public var store = StalenessStats()
    /// Whether the client's key exists (design A's write-only per-user key, design B's key whatever its
    /// status; for design C the entry is the key, so this equals `store`).
    public var storeKey = StalenessStats()
    public var typingPropagation = DurationHistogram()
    public var ghostTyping = DurationHistogram()
    /// Recorded last seen minus the true departure (designs write it at or after the departure).
    public var lastSeenError = DurationHistogram()
    /// From each key's expiry to the store deleting it (its `expired` event): kept when the store expires
    /// keys late, with `protocol.expiry` a sweep interval or "redis"; nil otherwise.
    public var expiryLag: DurationHistogram?

    public var heartbeats = 0
    public var requests = 0
    public var bytesUp = 0
    public var bytesDown = 0
    public var storeOps = 0
    public var mobileOnlineSeconds = 0.0
    public var radioJoules = 0.0
    public var radioActiveSeconds = 0.0

    public var fanoutEvents = 0
    public var deliveries = 0
    public var recipientsPerEvent = CountHistogram()
    /// Deliveries per whole simulated second of the measured window.
    public var deliveriesBySecond: [Int] = []

    public var timeline: [TimelinePoint] = []
    /// Client-seconds truly online within the measured window.
    public var onlineClientSeconds = 0.0
    public var measuredSeconds = 0.0
}

/// One point of the time series: the state at `at`, rates over the step before it.
public struct TimelinePoint: Hashable, Sendable {
    public var at: Instant
    public var online: Int
    public var storeOnline: Int
    /// Observer views showing their subject online, and observer views whose subject is truly online.
    public var shownOnlineViews: Int
    public var trulyOnlineViews: Int
    public var falseOfflineViews: Int
    public var heartbeatsPerSecond: Double
    public var deliveriesPerSecond: Double
}

/// Keeps ground truth and every viewer's view, and scores them as the run goes.
///
/// The engines feed it the effects of the models in processing order; it never looks at a model.
public struct Recorder: Sendable {
    private let population: Population
    private let design: Design
    private let tracker: ViewTracker
    private let end: Instant
    private let timelineStep: Interval

    /// What the recorder keeps per client, in one record so that an event touches one place in memory.
    private var clients: [ClientRecord]

    /// Observer views, one block of size² per room: `views[base(room) + observer * size + subject]`.
    private var views: [ViewState]
    private var typingShown: [Bool]
    private var typingAwaiting: [Bool]
    private let viewBase: [Int]

    private var shownOnlineViews = 0
    private var trulyOnlineViews = 0
    private var falseOfflineViews = 0
    private var onlineCount = 0
    private var lastTimelineHeartbeats = 0
    private var lastTimelineDeliveries = 0

    public private(set) var measurements = Measurements()

    public init(scenario: Scenario, population: Population, platforms: [Platform]) {
        self.population = population
        design = scenario.presence.design
        let measuredFrom = Instant.zero + scenario.warmup
        tracker = ViewTracker(measuredFrom: measuredFrom)
        end = Instant.zero + scenario.duration
        timelineStep = scenario.timeline
        clients = platforms.map { ClientRecord(platform: $0) }
        var base: [Int] = []
        var total = 0
        for room in 0..<population.roomCount {
            base.append(total)
            let size = population.members(of: RoomID(room)).count
            total += size * size
        }
        viewBase = base
        views = Array(repeating: ViewState(), count: total)
        typingShown = Array(repeating: false, count: total)
        typingAwaiting = Array(repeating: false, count: total)
        measurements.measuredSeconds = (end - measuredFrom).seconds
        switch scenario.presence.expiry {
        case .sweep, .redis: measurements.expiryLag = DurationHistogram()
        case .exact, .off: break
        }
        measurements.deliveriesBySecond = Array(
            repeating: 0, count: max(1, Int((end - measuredFrom).seconds.rounded(.up))))
    }

    private var measuredFrom: Instant { tracker.measuredFrom }

    // MARK: Effects

    /// Records a client effect the router hands over: ground truth and what the client shows.
    mutating func record(_ effect: ClientEffect, of client: ClientID, now: Instant) {
        switch effect {
        case .truth(let present, let cause): truthChanged(client, present: present, cause: cause, now: now)
        case .truthTyping(let isTyping): typingChanged(client, isTyping: isTyping, now: now)
        case .show(let entry): show(entry, to: client, now: now)
        case .showStatus(let entry): showStatus(entry, to: client, now: now)
        case .showTyping(let subject, let isTyping): showTyping(subject, isTyping: isTyping, to: client, now: now)
        case .showAll(let entries): showAll(entries, to: client, now: now)
        case .showAllTyping(let typing): showAllTyping(typing, to: client, now: now)
        case .clearView: clearView(of: client, now: now)
        case .received: received(by: client, now: now)
        case .send, .schedule, .link: break  // Routed: the router reports sends through `sent`.
        }
    }

    /// Records a server effect the router hands over: fan-out, the store's view, last seen, store work.
    mutating func record(_ effect: ServerEffect, now: Instant) {
        switch effect {
        case .fanout(let recipients): fanout(recipients: recipients, now: now)
        case .storeView(let client, let readUntil, let keyUntil):
            storeView(client, readUntil: readUntil, keyUntil: keyUntil, now: now)
        case .lastSeen(let client, let value): lastSeenWritten(client, value: value)
        case .storeOps(let count): storeOperations(count, now: now)
        case .keyExpired(_, let deadline):
            if now >= measuredFrom { measurements.expiryLag?.record(now - deadline) }
        case .deliver, .schedule, .ping, .pingTimeout: break  // Routed: deliveries come through `countDown`.
        }
    }

    // MARK: Ground truth

    mutating func truthChanged(_ client: ClientID, present: Bool, cause: DepartureCause, now: Instant) {
        let old = clients[client.index].truth
        guard old.present != present else { return }
        let new = SubjectTruth(since: now, present: present, cause: cause)
        tracker.truthChanged(
            &clients[client.index].read, from: old, to: new, settlingAt: now, stats: &measurements.store)
        tracker.truthChanged(
            &clients[client.index].key, from: old, to: new, settlingAt: now, stats: &measurements.storeKey)
        let room = population.roomOf[client.index]
        let members = population.members(of: room)
        let subject = client.index - members.lowerBound
        // This client as a subject of its room's observers.
        for observer in members where observer != client.index && clients[observer].truth.present {
            let index = viewIndex(room, members, observer: observer - members.lowerBound, subject: subject)
            let wasFalseOffline = views[index].flags.contains(.inMistake)
            tracker.truthChanged(
                &views[index], from: old, to: new, watchingSince: clients[observer].truth.since,
                stats: &measurements.observers)
            trulyOnlineViews += present ? 1 : -1
            if wasFalseOffline && !views[index].flags.contains(.inMistake) { falseOfflineViews -= 1 }
        }
        // This client as an observer: it starts or stops watching its room.
        let observer = subject
        for other in members where other != client.index {
            let index = viewIndex(room, members, observer: observer, subject: other - members.lowerBound)
            if present {
                tracker.startWatching(&views[index])
                shownOnlineViews += views[index].shown ? 1 : 0
                trulyOnlineViews += clients[other].truth.present ? 1 : 0
                typingAwaiting[index] = false
            } else {
                if views[index].flags.contains(.inMistake) { falseOfflineViews -= 1 }
                tracker.stopWatching(
                    &views[index], now: now, truth: clients[other].truth, watchingSince: old.since, runEnded: false,
                    stats: &measurements.observers)
                shownOnlineViews -= views[index].shown ? 1 : 0
                trulyOnlineViews -= clients[other].truth.present ? 1 : 0
                closeTypingView(index, subject: other, now: now)
            }
        }
        if present {
            onlineCount += 1
        } else {
            onlineCount -= 1
            let seconds = measured(from: old.since, to: now)
            measurements.onlineClientSeconds += seconds
            if clients[client.index].platform != .desktop { measurements.mobileOnlineSeconds += seconds }
        }
        clients[client.index].truth = new
    }

    mutating func typingChanged(_ client: ClientID, isTyping: Bool, now: Instant) {
        guard clients[client.index].typingTruth != isTyping else { return }
        clients[client.index].typingTruth = isTyping
        clients[client.index].typingTruthSince = now
        let room = population.roomOf[client.index]
        let members = population.members(of: room)
        for observer in members where observer != client.index && clients[observer].truth.present {
            let index = viewIndex(
                room, members, observer: observer - members.lowerBound, subject: client.index - members.lowerBound)
            typingAwaiting[index] = isTyping && !typingShown[index]
        }
    }

    // MARK: Views

    /// What `observer` shows for `entry.subject` changed.
    mutating func show(_ entry: ViewEntry, to observer: ClientID, now: Instant) {
        guard entry.subject != observer else { return }
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        guard members.contains(entry.subject.index) else { return }
        setView(
            room, members, observer: observer, subject: entry.subject.index, listed: entry.status.isPresent, now: now)
    }

    /// `observer`'s avatar of `entry.subject` shows its status (design B's user poll).
    mutating func showStatus(_ entry: ViewEntry, to observer: ClientID, now: Instant) {
        guard entry.subject != observer else { return }
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        guard members.contains(entry.subject.index) else { return }
        let index = viewIndex(
            room, members, observer: observer.index - members.lowerBound,
            subject: entry.subject.index - members.lowerBound)
        views[index].dotOffline = !entry.status.isPresent
        apply(index, observer: observer, subject: entry.subject.index, now: now)
    }

    /// The observer repainted its room from a snapshot: members not in it show offline.
    mutating func showAll(_ entries: [ViewEntry], to observer: ClientID, now: Instant) {
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        var cursor = entries.startIndex
        for subject in members where subject != observer.index {
            while cursor < entries.endIndex && entries[cursor].subject.index < subject { cursor += 1 }
            let shown =
                cursor < entries.endIndex && entries[cursor].subject.index == subject
                && entries[cursor].status.isPresent
            setView(room, members, observer: observer, subject: subject, listed: shown, now: now)
        }
    }

    /// A fresh page: nothing is shown.
    mutating func clearView(of observer: ClientID, now: Instant) {
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        for subject in members where subject != observer.index {
            let index = viewIndex(
                room, members, observer: observer.index - members.lowerBound, subject: subject - members.lowerBound)
            views[index].dotOffline = false
            setView(room, members, observer: observer, subject: subject, listed: false, now: now)
            setTypingView(room, members, observer: observer, subject: subject, typing: false, now: now)
        }
    }

    mutating func showTyping(_ subject: ClientID, isTyping: Bool, to observer: ClientID, now: Instant) {
        guard subject != observer else { return }
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        guard members.contains(subject.index) else { return }
        setTypingView(room, members, observer: observer, subject: subject.index, typing: isTyping, now: now)
    }

    mutating func showAllTyping(_ typing: [ClientID], to observer: ClientID, now: Instant) {
        let room = population.roomOf[observer.index]
        let members = population.members(of: room)
        var cursor = typing.startIndex
        for subject in members where subject != observer.index {
            while cursor < typing.endIndex && typing[cursor].index < subject { cursor += 1 }
            let isTyping = cursor < typing.endIndex && typing[cursor].index == subject
            setTypingView(room, members, observer: observer, subject: subject, typing: isTyping, now: now)
        }
    }

    private mutating func setView(
        _ room: RoomID, _ members: Range<Int>, observer: ClientID, subject: Int, listed isListed: Bool, now: Instant
    ) {
        let index = viewIndex(
            room, members, observer: observer.index - members.lowerBound, subject: subject - members.lowerBound)
        views[index].listed = isListed
        apply(index, observer: observer, subject: subject, now: now)
    }

    /// The view at `index` shows its subject online when the screen lists it and its dot does not say offline.
    private mutating func apply(_ index: Int, observer: ClientID, subject: Int, now: Instant) {
        let shown = views[index].listed && !views[index].dotOffline
        guard views[index].shown != shown else { return }
        let watching = clients[observer.index].truth.present
        if watching {
            let wasFalseOffline = views[index].flags.contains(.inMistake)
            tracker.viewChanged(
                &views[index], shown: shown, now: now, truth: clients[subject].truth,
                watchingSince: clients[observer.index].truth.since, stats: &measurements.observers)
            shownOnlineViews += shown ? 1 : -1
            let isFalseOffline = views[index].flags.contains(.inMistake)
            if isFalseOffline != wasFalseOffline { falseOfflineViews += isFalseOffline ? 1 : -1 }
        } else {
            views[index].shown = shown
            views[index].since = now
        }
    }

    private mutating func setTypingView(
        _ room: RoomID, _ members: Range<Int>, observer: ClientID, subject: Int, typing: Bool, now: Instant
    ) {
        let index = viewIndex(
            room, members, observer: observer.index - members.lowerBound, subject: subject - members.lowerBound)
        guard typingShown[index] != typing else { return }
        typingShown[index] = typing
        guard clients[observer.index].truth.present else { return }
        if typing {
            if typingAwaiting[index] && clients[subject].typingTruth
                && clients[subject].typingTruthSince >= measuredFrom
            {
                measurements.typingPropagation.record(now - clients[subject].typingTruthSince)
            }
            typingAwaiting[index] = false
        } else if !clients[subject].typingTruth && clients[subject].typingTruthSince >= measuredFrom {
            measurements.ghostTyping.record(now - clients[subject].typingTruthSince)
        }
    }

    /// A typing indicator the observer still showed when it stopped watching counts as ghost typing
    /// until then.
    private mutating func closeTypingView(_ index: Int, subject: Int, now: Instant) {
        if typingShown[index] && !clients[subject].typingTruth && clients[subject].typingTruthSince >= measuredFrom {
            measurements.ghostTyping.record(now - clients[subject].typingTruthSince)
        }
        typingAwaiting[index] = false
    }

    @inline(__always)
    private func viewIndex(_ room: RoomID, _ members: Range<Int>, observer: Int, subject: Int) -> Int {
        viewBase[room.index] + observer * members.count + subject
    }

    // MARK: The store's view

    /// The store's read shows the client online from now until `readUntil`, and its key exists until
    /// `keyUntil` (`now`: offline, or gone, at once).
    mutating func storeView(_ client: ClientID, readUntil: Instant, keyUntil: Instant, now: Instant) {
        let truth = clients[client.index].truth
        tracker.storeShows(
            &clients[client.index].read, until: readUntil, now: now, truth: truth, stats: &measurements.store)
        tracker.storeShows(
            &clients[client.index].key, until: keyUntil, now: now, truth: truth, stats: &measurements.storeKey)
    }

    // MARK: Last seen, cost, fan-out

    mutating func lastSeenWritten(_ client: ClientID, value: Instant) {
        let subject = clients[client.index].truth
        guard !subject.present, subject.since >= measuredFrom else { return }
        measurements.lastSeenError.record(value - subject.since)
    }

    mutating func sent(_ message: Uplink, by client: ClientID, bytes: Int, now: Instant) {
        radio(client, now: now)
        guard now >= measuredFrom else { return }
        measurements.requests += 1
        measurements.bytesUp += bytes
        if message.isHeartbeat { measurements.heartbeats += 1 }
    }

    /// A message reached the client: a phone's radio wakes up for it.
    mutating func received(by client: ClientID, now: Instant) { radio(client, now: now) }

    /// The server sent `bytes` to a client.
    mutating func countDown(bytes: Int, now: Instant) {
        if now >= measuredFrom { measurements.bytesDown += bytes }
    }

    /// A transport ping and its pong: bytes both ways, and a radio wake-up on a phone.
    mutating func transportPing(_ client: ClientID, bytesDown: Int, bytesUp: Int, now: Instant) {
        radio(client, now: now)
        guard now >= measuredFrom else { return }
        measurements.bytesDown += bytesDown
        measurements.bytesUp += bytesUp
    }

    mutating func storeOperations(_ count: Int, now: Instant) {
        if now >= measuredFrom { measurements.storeOps += count }
    }

    mutating func fanout(recipients: Int, now: Instant) {
        guard now >= measuredFrom else { return }
        measurements.fanoutEvents += 1
        measurements.deliveries += recipients
        measurements.recipientsPerEvent.record(recipients)
        let second = Int((now - measuredFrom).nanoseconds / Interval.nanosecondsPerSecond)
        if second < measurements.deliveriesBySecond.count { measurements.deliveriesBySecond[second] += recipients }
    }

    /// LTE radio (AT&T ARO / Huang et al., MobiSys 2012): a packet on an idle radio costs a 0.26 s
    /// promotion at 1.21 W; every packet keeps the radio in its 10.1 s tail at 1.06 W.
    private mutating func radio(_ client: ClientID, now: Instant) {
        guard clients[client.index].platform != .desktop else { return }
        let tailEnd = clients[client.index].radioTailEnd
        let joules: Double
        let active: Double
        let newTailEnd: Instant
        if now >= tailEnd {
            newTailEnd = now + ltePromotion + lteTail
            joules = ltePromotionPower * ltePromotion.seconds + lteTailPower * lteTail.seconds
            active = (ltePromotion + lteTail).seconds
        } else {
            newTailEnd = max(tailEnd, now + lteTail)
            joules = lteTailPower * (newTailEnd - tailEnd).seconds
            active = (newTailEnd - tailEnd).seconds
        }
        clients[client.index].radioTailEnd = newTailEnd
        guard now >= measuredFrom else { return }
        measurements.radioJoules += joules
        measurements.radioActiveSeconds += active
    }

    // MARK: Timeline and the end of the run

    mutating func sample(now: Instant) {
        var storeOnline = 0
        for client in clients where client.read.shows(at: now) { storeOnline += 1 }
        let seconds = timelineStep.seconds
        measurements.timeline.append(
            TimelinePoint(
                at: now, online: onlineCount, storeOnline: storeOnline, shownOnlineViews: shownOnlineViews,
                trulyOnlineViews: trulyOnlineViews, falseOfflineViews: falseOfflineViews,
                heartbeatsPerSecond: Double(measurements.heartbeats - lastTimelineHeartbeats) / seconds,
                deliveriesPerSecond: Double(measurements.deliveries - lastTimelineDeliveries) / seconds))
        lastTimelineHeartbeats = measurements.heartbeats
        lastTimelineDeliveries = measurements.deliveries
    }

    /// Closes every open interval at `now`: undetected departures become ghosts.
    public mutating func finish(now: Instant) {
        measurements.measuredSeconds = measured(from: .zero, to: now)
        for client in 0..<population.clientCount {
            tracker.finish(&clients[client].read, now: now, truth: clients[client].truth, stats: &measurements.store)
            tracker.finish(&clients[client].key, now: now, truth: clients[client].truth, stats: &measurements.storeKey)
            let subject = clients[client].truth
            if subject.present {
                let seconds = measured(from: subject.since, to: now)
                measurements.onlineClientSeconds += seconds
                if clients[client].platform != .desktop { measurements.mobileOnlineSeconds += seconds }
            }
            guard subject.present else { continue }
            let room = population.roomOf[client]
            let members = population.members(of: room)
            for other in members where other != client {
                let index = viewIndex(
                    room, members, observer: client - members.lowerBound, subject: other - members.lowerBound)
                tracker.stopWatching(
                    &views[index], now: now, truth: clients[other].truth, watchingSince: subject.since, runEnded: true,
                    stats: &measurements.observers)
                closeTypingView(index, subject: other, now: now)
            }
        }
    }

    private func measured(from start: Instant, to end: Instant) -> Double {
        let from = max(start, measuredFrom)
        return end > from ? (end - from).seconds : 0
    }
}

/// One client as the recorder sees it: its ground truth, the store's view of it, and its radio.
///
/// Kept together (one array of these rather than one array per field) because an event about a client
/// reads and writes several of them: with a million clients, each separate array costs a cache miss.
private struct ClientRecord {
    // Ordered so that the record packs into 56 bytes: the small fields fill the truth's padding.
    var truth = SubjectTruth()
    var typingTruth = false
    let platform: Platform
    /// The store's views of the client: its read path, and its key.
    var read = StoreView()
    var key = StoreView()
    /// When the phone's radio leaves its LTE tail (desktops have none).
    var radioTailEnd = Instant.zero
    var typingTruthSince = Instant.zero

    init(platform: Platform) { self.platform = platform }
}

let ltePromotion = Interval.milliseconds(260)
let ltePromotionPower = 1.21
let lteTail = Interval.milliseconds(10_100)
let lteTailPower = 1.06
