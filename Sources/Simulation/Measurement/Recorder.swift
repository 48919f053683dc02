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
    /// Fan-out by the size of the room it went to: bucket `i` holds rooms of 10^i to 10^(i+1) − 1 members.
    public var fanoutByRoomSize: [FanoutBucket] = []
    /// The same for threads (`rooms.threads`), whose fan-out is typing alone; empty without threads.
    public var fanoutByThreadSize: [FanoutBucket] = []
    /// The busiest simulated hour's rates, each its own busiest hour.
    public var peakHour = PeakHour()

    public var timeline: [TimelinePoint] = []
    /// Client-seconds truly online within the measured window.
    public var onlineClientSeconds = 0.0
    public var measuredSeconds = 0.0
}

/// The rates of the busiest whole simulated hour of the measured window (of the whole window when it is
/// shorter than an hour), per second.
public struct PeakHour: Sendable {
    public var heartbeatsPerSecond = 0.0
    public var deliveriesPerSecond = 0.0
    public var storeOpsPerSecond = 0.0

    public init() {}

    /// Each figure the larger of the two (pooled replications: the busiest hour of any).
    public mutating func pool(_ other: PeakHour) {
        heartbeatsPerSecond = max(heartbeatsPerSecond, other.heartbeatsPerSecond)
        deliveriesPerSecond = max(deliveriesPerSecond, other.deliveriesPerSecond)
        storeOpsPerSecond = max(storeOpsPerSecond, other.storeOpsPerSecond)
    }
}

/// Counts per simulated hour of the measured window, for the busiest hour.
struct HourlyCounts {
    var heartbeats: [Int]
    var deliveries: [Int]
    var storeOps: [Int]

    init(hours: Int) {
        heartbeats = Array(repeating: 0, count: hours)
        deliveries = heartbeats
        storeOps = heartbeats
    }

    mutating func add(_ other: HourlyCounts) {
        for hour in heartbeats.indices {
            heartbeats[hour] += other.heartbeats[hour]
            deliveries[hour] += other.deliveries[hour]
            storeOps[hour] += other.storeOps[hour]
        }
    }

    /// The busiest hour's rates, over the hours that were measured in full (the first, partial, one when
    /// `measuredSeconds` is less than an hour).
    func peak(measuredSeconds: Double) -> PeakHour {
        let full = Int(measuredSeconds / 3600)
        let hours = max(1, min(full, heartbeats.count))
        let seconds = full == 0 ? max(measuredSeconds, 1e-9) : 3600
        func busiest(_ counts: [Int]) -> Double { Double(counts.prefix(hours).max() ?? 0) / seconds }
        var peak = PeakHour()
        peak.heartbeatsPerSecond = busiest(heartbeats)
        peak.deliveriesPerSecond = busiest(deliveries)
        peak.storeOpsPerSecond = busiest(storeOps)
        return peak
    }
}

/// The fan-out to rooms of one size bucket.
public struct FanoutBucket: Sendable {
    /// The bucket's room sizes, `smallest...largest`.
    public var smallest: Int
    public var largest: Int
    /// Rooms of this size in the population.
    public var rooms = 0
    public var events = 0
    public var deliveries = 0
    public var recipientsPerEvent = CountHistogram()

    public init(smallest: Int, largest: Int) {
        self.smallest = smallest
        self.largest = largest
    }

    /// One bucket per power of ten up to the largest of `rooms`, each counting its rooms.
    static func buckets(of rooms: Range<Int>, in population: Population) -> [FanoutBucket] {
        let largest = rooms.lazy.map { population.size(of: RoomID($0)) }.max() ?? 1
        var buckets: [FanoutBucket] = []
        var smallest = 1
        while buckets.count <= index(ofSize: largest) {
            let next = smallest.multipliedReportingOverflow(by: 10)
            buckets.append(FanoutBucket(smallest: smallest, largest: next.overflow ? .max : next.partialValue - 1))
            smallest = next.partialValue
        }
        for room in rooms { buckets[index(ofSize: population.size(of: RoomID(room)))].rooms += 1 }
        return buckets
    }

    /// An event pushed to `recipients` members of a room in this bucket.
    mutating func add(recipients: Int) {
        events += 1
        deliveries += recipients
        recipientsPerEvent.record(recipients)
    }

    /// The bucket of a room with `size` members.
    static func index(ofSize size: Int) -> Int {
        var index = 0
        var bound = 10
        while size >= bound && index < 18 {
            index += 1
            bound = bound.multipliedReportingOverflow(by: 10).partialValue
        }
        return index
    }
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

    /// Observer views, one block of size² per room: `views[base(room) + observer * size + subject]`, where
    /// observer and subject are positions in the room's member list.
    private var views: [ViewState]
    private var typingShown: [Bool]
    private var typingAwaiting: [Bool]
    /// When each member last stopped typing in each of its rooms, by membership (``Population/membership(of:in:)``):
    /// where a ghost indicator in that room starts, even after the member went on to type elsewhere.
    private var typingStoppedAt: [Instant]
    private let viewBase: [Int]

    private var shownOnlineViews = 0
    private var trulyOnlineViews = 0
    private var falseOfflineViews = 0
    private var onlineCount = 0
    private var lastTimelineHeartbeats = 0
    private var lastTimelineDeliveries = 0
    private var heartbeats = 0
    private var deliveries = 0
    private var timeline: [TimelinePoint] = []

    /// Each client's cohort (empty without cohorts).
    private let cohortOf: [UInt8]
    /// What was measured, by the cohort it belongs to, plus a last part for what belongs to no client (store
    /// work of the server's own timers, batched deliveries): the run's figures are their sum.
    private var parts: [Measurements]
    private var hourly: [HourlyCounts]
    /// The client whose message the server is handling, whose cohort its store work counts for.
    private var cause: ClientID?

    /// The run's figures, once ``finish(now:)`` has run.
    public private(set) var measurements = Measurements()
    /// Each cohort's figures, in the scenario's order, once ``finish(now:)`` has run (empty without cohorts).
    public private(set) var cohortMeasurements: [Measurements] = []

    public init(scenario: Scenario, population: Population, platforms: [Platform], cohortOf: [UInt8] = []) {
        self.population = population
        self.cohortOf = cohortOf
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
            let size = population.size(of: RoomID(room))
            total += size * size
        }
        viewBase = base
        views = Array(repeating: ViewState(), count: total)
        typingShown = Array(repeating: false, count: total)
        typingAwaiting = Array(repeating: false, count: total)
        typingStoppedAt = Array(repeating: .zero, count: population.membershipCount)
        let measuredSeconds = (end - measuredFrom).seconds
        var blank = Measurements()
        blank.measuredSeconds = measuredSeconds
        blank.deliveriesBySecond = Array(repeating: 0, count: max(1, Int(measuredSeconds.rounded(.up))))
        switch scenario.presence.expiry {
        case .sweep, .redis: blank.expiryLag = DurationHistogram()
        case .exact, .off: break
        }
        blank.fanoutByRoomSize = FanoutBucket.buckets(of: 0..<population.presenceRoomCount, in: population)
        if population.hasThreads {
            blank.fanoutByThreadSize = FanoutBucket.buckets(
                of: population.presenceRoomCount..<population.roomCount, in: population)
        }
        let partCount = scenario.cohorts.isEmpty ? 1 : scenario.cohorts.count + 1
        parts = Array(repeating: blank, count: partCount)
        hourly = Array(
            repeating: HourlyCounts(hours: max(1, Int((measuredSeconds / 3600).rounded(.up)))), count: partCount)
        measurements = blank
    }

    /// The part a client's figures go to: its cohort's.
    @inline(__always)
    private func part(_ client: Int) -> Int { cohortOf.isEmpty ? 0 : Int(cohortOf[client]) }

    /// The part of what belongs to no client: the only part without cohorts.
    private var unattributed: Int { parts.count - 1 }

    /// Store work reported from now on is caused by `client`'s message (nil: by the server itself).
    mutating func attribute(to client: ClientID?) { cause = client }

    private var measuredFrom: Instant { tracker.measuredFrom }

    // MARK: Effects

    /// Records a client effect the router hands over: ground truth and what the client shows.
    mutating func record(_ effect: ClientEffect, of client: ClientID, now: Instant) {
        switch effect {
        case .truth(let present, let cause): truthChanged(client, present: present, cause: cause, now: now)
        case .truthTyping(let isTyping, let room): typingChanged(client, isTyping: isTyping, in: room, now: now)
        case .show(let room, let entry): show(entry, in: room, to: client, now: now)
        case .showStatus(let entry): showStatus(entry, to: client, now: now)
        case .showTyping(let room, let subject, let isTyping):
            showTyping(subject, isTyping: isTyping, in: room, to: client, now: now)
        case .showAll(let view): showAll(view, to: client, now: now)
        case .showAllTyping(let room, let typing): showAllTyping(typing, in: room, to: client, now: now)
        case .clearView: clearView(of: client, now: now)
        case .received: received(by: client, now: now)
        case .send, .schedule, .link: break  // Routed: the router reports sends through `sent`.
        }
    }

    /// Records a server effect the router hands over: fan-out, the store's view, last seen, store work.
    mutating func record(_ effect: ServerEffect, now: Instant) {
        switch effect {
        case .fanout(let recipients, let room, let subject):
            fanout(recipients: recipients, in: room, subject: subject, now: now)
        case .storeView(let client, let readUntil, let keyUntil):
            storeView(client, readUntil: readUntil, keyUntil: keyUntil, now: now)
        case .lastSeen(let client, let value): lastSeenWritten(client, value: value)
        case .storeOps(let count, let client): storeOperations(count, of: client, now: now)
        case .keyExpired(let client, let deadline):
            if now >= measuredFrom { parts[part(client.index)].expiryLag?.record(now - deadline) }
        case .deliver, .schedule, .ping, .pingTimeout: break  // Routed: deliveries come through `countDown`.
        }
    }

    // MARK: Ground truth

    mutating func truthChanged(_ client: ClientID, present: Bool, cause: DepartureCause, now: Instant) {
        let old = clients[client.index].truth
        guard old.present != present else { return }
        let new = SubjectTruth(since: now, present: present, cause: cause)
        let own = part(client.index)
        tracker.truthChanged(&clients[client.index].read, from: old, to: new, settlingAt: now, stats: &parts[own].store)
        tracker.truthChanged(
            &clients[client.index].key, from: old, to: new, settlingAt: now, stats: &parts[own].storeKey)
        for (room, slot) in population.memberships(of: client) {
            truthChanged(client, in: room, slot: Int(slot), from: old, to: new, now: now)
        }
        if present {
            onlineCount += 1
        } else {
            onlineCount -= 1
            let seconds = measured(from: old.since, to: now)
            parts[own].onlineClientSeconds += seconds
            if clients[client.index].platform != .desktop { parts[own].mobileOnlineSeconds += seconds }
        }
        clients[client.index].truth = new
    }

    /// The client as a subject of its room's observers, and as an observer that starts or stops
    /// watching the room. In a thread, which shows no presence, only its typing indicators are watched.
    private mutating func truthChanged(
        _ client: ClientID, in room: RoomID, slot subject: Int, from old: SubjectTruth, to new: SubjectTruth,
        now: Instant
    ) {
        let present = new.present
        let own = part(client.index)
        let members = population.members(of: room)
        let base = viewBase[room.index]
        let size = members.count
        guard population.carriesPresence(room) else {
            for (position, other) in zip(0..., members) where position != subject {
                let index = base + subject * size + position
                if present {
                    typingAwaiting[index] = false
                } else {
                    closeTypingView(index, subject: Int(other), in: room, now: now)
                }
            }
            return
        }
        for (position, observer) in zip(0..., members) where position != subject {
            let observer = Int(observer)
            guard clients[observer].truth.present else { continue }
            let index = base + position * size + subject
            let wasFalseOffline = views[index].flags.contains(.inMistake)
            tracker.truthChanged(
                &views[index], from: old, to: new, watchingSince: clients[observer].truth.since,
                stats: &parts[own].observers)
            trulyOnlineViews += present ? 1 : -1
            if wasFalseOffline && !views[index].flags.contains(.inMistake) { falseOfflineViews -= 1 }
        }
        for (position, other) in zip(0..., members) where position != subject {
            let other = Int(other)
            let index = base + subject * size + position
            if present {
                tracker.startWatching(&views[index])
                shownOnlineViews += views[index].shown ? 1 : 0
                trulyOnlineViews += clients[other].truth.present ? 1 : 0
                typingAwaiting[index] = false
            } else {
                if views[index].flags.contains(.inMistake) { falseOfflineViews -= 1 }
                tracker.stopWatching(
                    &views[index], now: now, truth: clients[other].truth, watchingSince: old.since, runEnded: false,
                    stats: &parts[part(other)].observers)
                shownOnlineViews -= views[index].shown ? 1 : 0
                trulyOnlineViews -= clients[other].truth.present ? 1 : 0
                closeTypingView(index, subject: other, in: room, now: now)
            }
        }
    }

    mutating func typingChanged(_ client: ClientID, isTyping: Bool, in room: RoomID, now: Instant) {
        guard clients[client.index].typingTruth != isTyping else { return }
        clients[client.index].typingTruth = isTyping
        clients[client.index].typingRoom = room
        clients[client.index].typingTruthSince = now
        guard let membership = population.membership(of: client, in: room) else { return }
        if !isTyping { typingStoppedAt[membership] = now }
        let subject = population.slot(ofMembership: membership)
        let members = population.members(of: room)
        let base = viewBase[room.index]
        for (position, observer) in zip(0..., members) where position != subject {
            guard clients[Int(observer)].truth.present else { continue }
            let index = base + position * members.count + subject
            typingAwaiting[index] = isTyping && !typingShown[index]
        }
    }

    /// Whether the client is truly typing in the room.
    private func isTyping(_ client: Int, in room: RoomID) -> Bool {
        clients[client].typingTruth && clients[client].typingRoom == room
    }

    // MARK: Views

    /// What `observer` shows in `room` for `entry.subject` changed.
    mutating func show(_ entry: ViewEntry, in room: RoomID, to observer: ClientID, now: Instant) {
        guard entry.subject != observer, let index = viewIndex(room, observer: observer, subject: entry.subject)
        else { return }
        views[index].listed = entry.status.isPresent
        apply(index, observer: observer, subject: entry.subject.index, now: now)
    }

    /// `observer`'s avatar of `entry.subject` shows its status (design B's user poll), in every room the
    /// two share.
    mutating func showStatus(_ entry: ViewEntry, to observer: ClientID, now: Instant) {
        guard entry.subject != observer else { return }
        for (room, slot) in population.memberships(of: observer) where population.carriesPresence(room) {
            guard let subject = population.slot(of: entry.subject, in: room) else { continue }
            let index = viewBase[room.index] + Int(slot) * population.size(of: room) + subject
            views[index].dotOffline = !entry.status.isPresent
            apply(index, observer: observer, subject: entry.subject.index, now: now)
        }
    }

    /// The observer repainted a room from a snapshot: members not in it show offline.
    mutating func showAll(_ view: RoomView, to observer: ClientID, now: Instant) {
        guard let slot = population.slot(of: observer, in: view.room) else { return }
        let entries = view.entries
        let members = population.members(of: view.room)
        let base = viewBase[view.room.index] + slot * members.count
        var cursor = entries.startIndex
        for (position, subject) in zip(0..., members) where position != slot {
            while cursor < entries.endIndex && entries[cursor].subject.rawValue < subject { cursor += 1 }
            let shown =
                cursor < entries.endIndex && entries[cursor].subject.rawValue == subject
                && entries[cursor].status.isPresent
            views[base + position].listed = shown
            apply(base + position, observer: observer, subject: Int(subject), now: now)
        }
    }

    /// A fresh page: nothing is shown, in any room.
    mutating func clearView(of observer: ClientID, now: Instant) {
        for (room, slot) in population.memberships(of: observer) {
            let members = population.members(of: room)
            let base = viewBase[room.index] + Int(slot) * members.count
            let presence = population.carriesPresence(room)
            for (position, subject) in zip(0..., members) where position != Int(slot) {
                if presence {
                    views[base + position].dotOffline = false
                    views[base + position].listed = false
                    apply(base + position, observer: observer, subject: Int(subject), now: now)
                }
                setTypingView(
                    base + position, in: room, observer: observer, subject: Int(subject), typing: false, now: now)
            }
        }
    }

    mutating func showTyping(_ subject: ClientID, isTyping: Bool, in room: RoomID, to observer: ClientID, now: Instant)
    {
        guard subject != observer, let index = viewIndex(room, observer: observer, subject: subject) else { return }
        setTypingView(index, in: room, observer: observer, subject: subject.index, typing: isTyping, now: now)
    }

    mutating func showAllTyping(_ typing: [ClientID], in room: RoomID, to observer: ClientID, now: Instant) {
        guard let slot = population.slot(of: observer, in: room) else { return }
        let members = population.members(of: room)
        let base = viewBase[room.index] + slot * members.count
        var cursor = typing.startIndex
        for (position, subject) in zip(0..., members) where position != slot {
            while cursor < typing.endIndex && typing[cursor].rawValue < subject { cursor += 1 }
            let isTyping = cursor < typing.endIndex && typing[cursor].rawValue == subject
            setTypingView(
                base + position, in: room, observer: observer, subject: Int(subject), typing: isTyping, now: now)
        }
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
                watchingSince: clients[observer.index].truth.since, stats: &parts[part(subject)].observers)
            shownOnlineViews += shown ? 1 : -1
            let isFalseOffline = views[index].flags.contains(.inMistake)
            if isFalseOffline != wasFalseOffline { falseOfflineViews += isFalseOffline ? 1 : -1 }
        } else {
            views[index].shown = shown
            views[index].since = now
        }
    }

    private mutating func setTypingView(
        _ index: Int, in room: RoomID, observer: ClientID, subject: Int, typing: Bool, now: Instant
    ) {
        guard typingShown[index] != typing else { return }
        typingShown[index] = typing
        guard clients[observer.index].truth.present else { return }
        if typing {
            let since = clients[subject].typingTruthSince
            if typingAwaiting[index] && isTyping(subject, in: room) && since >= measuredFrom {
                parts[part(subject)].typingPropagation.record(now - since)
            }
            typingAwaiting[index] = false
        } else if !isTyping(subject, in: room) {
            recordGhostTyping(of: subject, in: room, until: now)
        }
    }

    /// A typing indicator the observer still showed when it stopped watching counts as ghost typing
    /// until then.
    private mutating func closeTypingView(_ index: Int, subject: Int, in room: RoomID, now: Instant) {
        if typingShown[index] && !isTyping(subject, in: room) { recordGhostTyping(of: subject, in: room, until: now) }
        typingAwaiting[index] = false
    }

    /// An indicator of `subject` typing in `room` went at `now`, after the subject had stopped typing there.
    private mutating func recordGhostTyping(of subject: Int, in room: RoomID, until now: Instant) {
        guard let membership = population.membership(of: ClientID(subject), in: room) else { return }
        let since = typingStoppedAt[membership]
        if since >= measuredFrom { parts[part(subject)].ghostTyping.record(now - since) }
    }

    /// The view of `subject` on `observer`'s screen of `room`, when both are members.
    private func viewIndex(_ room: RoomID, observer: ClientID, subject: ClientID) -> Int? {
        guard let observerSlot = population.slot(of: observer, in: room),
            let subjectSlot = population.slot(of: subject, in: room)
        else { return nil }
        return viewBase[room.index] + observerSlot * population.size(of: room) + subjectSlot
    }

    // MARK: The store's view

    /// The store's read shows the client online from now until `readUntil`, and its key exists until
    /// `keyUntil` (`now`: offline, or gone, at once).
    mutating func storeView(_ client: ClientID, readUntil: Instant, keyUntil: Instant, now: Instant) {
        let truth = clients[client.index].truth
        let own = part(client.index)
        tracker.storeShows(
            &clients[client.index].read, until: readUntil, now: now, truth: truth, stats: &parts[own].store)
        tracker.storeShows(
            &clients[client.index].key, until: keyUntil, now: now, truth: truth, stats: &parts[own].storeKey)
    }

    // MARK: Last seen, cost, fan-out

    mutating func lastSeenWritten(_ client: ClientID, value: Instant) {
        let subject = clients[client.index].truth
        guard !subject.present, subject.since >= measuredFrom else { return }
        parts[part(client.index)].lastSeenError.record(value - subject.since)
    }

    mutating func sent(_ message: Uplink, by client: ClientID, bytes: Int, now: Instant) {
        radio(client, now: now)
        guard now >= measuredFrom else { return }
        let own = part(client.index)
        parts[own].requests += 1
        parts[own].bytesUp += bytes
        if message.isHeartbeat {
            parts[own].heartbeats += 1
            heartbeats += 1
            hourly[own].heartbeats[hour(of: now)] += 1
        }
    }

    /// A message reached the client: a phone's radio wakes up for it.
    mutating func received(by client: ClientID, now: Instant) { radio(client, now: now) }

    /// The server sent `bytes` to `client`.
    mutating func countDown(bytes: Int, to client: ClientID, now: Instant) {
        if now >= measuredFrom { parts[part(client.index)].bytesDown += bytes }
    }

    /// A transport ping and its pong: bytes both ways, and a radio wake-up on a phone.
    mutating func transportPing(_ client: ClientID, bytesDown: Int, bytesUp: Int, now: Instant) {
        radio(client, now: now)
        guard now >= measuredFrom else { return }
        parts[part(client.index)].bytesDown += bytesDown
        parts[part(client.index)].bytesUp += bytesUp
    }

    /// Store work on `client`'s key (nil: caused by the current cause, if any).
    mutating func storeOperations(_ count: Int, of client: ClientID? = nil, now: Instant) {
        guard now >= measuredFrom else { return }
        let owner = (client ?? cause).map { part($0.index) } ?? unattributed
        parts[owner].storeOps += count
        hourly[owner].storeOps[hour(of: now)] += count
    }

    /// A change of `subject` (nil: a batch of several) was pushed to `recipients` members of `room`.
    mutating func fanout(recipients: Int, in room: RoomID, subject: ClientID?, now: Instant) {
        guard now >= measuredFrom else { return }
        let owner = subject.map { part($0.index) } ?? unattributed
        deliveries += recipients
        parts[owner].fanoutEvents += 1
        parts[owner].deliveries += recipients
        parts[owner].recipientsPerEvent.record(recipients)
        let bucket = FanoutBucket.index(ofSize: population.size(of: room))
        if population.carriesPresence(room) {
            parts[owner].fanoutByRoomSize[bucket].add(recipients: recipients)
        } else {
            parts[owner].fanoutByThreadSize[bucket].add(recipients: recipients)
        }
        hourly[owner].deliveries[hour(of: now)] += recipients
        let second = Int((now - measuredFrom).nanoseconds / Interval.nanosecondsPerSecond)
        if second < parts[owner].deliveriesBySecond.count { parts[owner].deliveriesBySecond[second] += recipients }
    }

    /// The measured hour `now` falls in (at or after the start of measurement, at most the run's end).
    private func hour(of now: Instant) -> Int {
        min(
            Int((now - measuredFrom).nanoseconds / (3600 * Interval.nanosecondsPerSecond)),
            hourly[0].heartbeats.count - 1)
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
        parts[part(client.index)].radioJoules += joules
        parts[part(client.index)].radioActiveSeconds += active
    }

    // MARK: Timeline and the end of the run

    mutating func sample(now: Instant) {
        var storeOnline = 0
        for client in clients where client.read.shows(at: now) { storeOnline += 1 }
        let seconds = timelineStep.seconds
        timeline.append(
            TimelinePoint(
                at: now, online: onlineCount, storeOnline: storeOnline, shownOnlineViews: shownOnlineViews,
                trulyOnlineViews: trulyOnlineViews, falseOfflineViews: falseOfflineViews,
                heartbeatsPerSecond: Double(heartbeats - lastTimelineHeartbeats) / seconds,
                deliveriesPerSecond: Double(deliveries - lastTimelineDeliveries) / seconds))
        lastTimelineHeartbeats = heartbeats
        lastTimelineDeliveries = deliveries
    }

    /// Closes every open interval at `now`: undetected departures become ghosts.
    public mutating func finish(now: Instant) {
        let measuredSeconds = measured(from: .zero, to: now)
        for client in 0..<population.clientCount {
            let own = part(client)
            tracker.finish(&clients[client].read, now: now, truth: clients[client].truth, stats: &parts[own].store)
            tracker.finish(&clients[client].key, now: now, truth: clients[client].truth, stats: &parts[own].storeKey)
            let subject = clients[client].truth
            if subject.present {
                let seconds = measured(from: subject.since, to: now)
                parts[own].onlineClientSeconds += seconds
                if clients[client].platform != .desktop { parts[own].mobileOnlineSeconds += seconds }
            }
            guard subject.present else { continue }
            for (room, slot) in population.memberships(of: ClientID(client)) {
                let members = population.members(of: room)
                let base = viewBase[room.index] + Int(slot) * members.count
                let presence = population.carriesPresence(room)
                for (position, other) in zip(0..., members) where position != Int(slot) {
                    if presence {
                        tracker.stopWatching(
                            &views[base + position], now: now, truth: clients[Int(other)].truth,
                            watchingSince: subject.since, runEnded: true, stats: &parts[part(Int(other))].observers)
                    }
                    closeTypingView(base + position, subject: Int(other), in: room, now: now)
                }
            }
        }
        for index in parts.indices {
            parts[index].measuredSeconds = measuredSeconds
            parts[index].peakHour = hourly[index].peak(measuredSeconds: measuredSeconds)
        }
        var total = parts[0]
        var totalHourly = hourly[0]
        for index in parts.indices.dropFirst() {
            total.addPart(parts[index])
            totalHourly.add(hourly[index])
        }
        total.peakHour = totalHourly.peak(measuredSeconds: measuredSeconds)
        total.timeline = timeline
        measurements = total
        cohortMeasurements = parts.count > 1 ? Array(parts.dropLast()) : []
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
    /// The room of the current (or last) typing burst.
    var typingRoom = RoomID(0)
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
