import HeapModule
import PresenceCore
import Scenario

/// Something scheduled to happen at an instant.
enum SimEvent: Sendable {
    case client(ClientID, ClientInput)
    case server(ServerInput)
    /// A transport ping to a client's socket; the network answers whether the client is there.
    case ping(ClientID, ConnectionID)
    /// A partition fault begins (index into the scenario's faults).
    case partition(Int)
    case sample
}

/// The virtual-time event queue: events in (instant, scheduling order).
///
/// Ties are broken by the order events were scheduled in, so a run is a deterministic function of the
/// scenario: both engines process the same events in the same order. swift-collections' `Heap` does not
/// order equal elements, hence the explicit sequence number.
///
/// A calendar queue keeps the cost per event flat from ten thousand to a million clients: events fall
/// into buckets of about 16.8 ms on a wheel spanning about 18 minutes; only the bucket being drained is
/// a heap, so sifting touches a few hundred recent events instead of millions. Events beyond the wheel's
/// span wait in an overflow heap and move onto the wheel as it turns.
struct EventQueue {
    struct Scheduled: Comparable {
        var at: Instant
        var sequence: UInt64
        var event: SimEvent

        static func < (lhs: Scheduled, rhs: Scheduled) -> Bool {
            (lhs.at.nanoseconds, lhs.sequence) < (rhs.at.nanoseconds, rhs.sequence)
        }
        static func == (lhs: Scheduled, rhs: Scheduled) -> Bool { lhs.sequence == rhs.sequence }
    }

    /// log2 of a bucket's width in nanoseconds (2^24 ns ≈ 16.8 ms).
    private static let bucketShift: Int64 = 24
    private static let bucketCount = 1 << 16

    private var buckets: [[Scheduled]] = Array(repeating: [], count: bucketCount)
    /// The events of the bucket being drained (index `currentBucket`).
    private var current = Heap<Scheduled>()
    private var currentBucket: Int64 = 0
    private var onWheel = 0
    private var overflow = Heap<Scheduled>()
    private var sequence: UInt64 = 0

    private(set) var count = 0

    mutating func schedule(_ event: SimEvent, at instant: Instant) {
        sequence &+= 1
        count += 1
        let item = Scheduled(at: instant, sequence: sequence, event: event)
        let bucket = max(instant.nanoseconds >> Self.bucketShift, currentBucket)
        if bucket == currentBucket {
            current.insert(item)
        } else if bucket - currentBucket < Int64(Self.bucketCount) {
            buckets[Int(bucket) & (Self.bucketCount - 1)].append(item)
            onWheel += 1
        } else {
            overflow.insert(item)
        }
    }

    /// The next event, if it is due no later than `limit`.
    mutating func pop(through limit: Instant) -> (at: Instant, event: SimEvent)? {
        while current.isEmpty {
            guard onWheel > 0 || !overflow.isEmpty else { return nil }
            if onWheel == 0, let next = overflow.min {
                currentBucket = next.at.nanoseconds >> Self.bucketShift
            } else {
                currentBucket += 1
            }
            let slot = Int(currentBucket) & (Self.bucketCount - 1)
            if !buckets[slot].isEmpty {
                onWheel -= buckets[slot].count
                // Hand the bucket's storage to the heap: a bucket keeps no capacity once drained, so the
                // wheel holds only the events in flight.
                var events: [Scheduled] = []
                swap(&events, &buckets[slot])
                current = Heap(events)
            }
            // Bring overflow events that now fall on the wheel's span.
            let horizon = currentBucket + Int64(Self.bucketCount)
            while let next = overflow.min, next.at.nanoseconds >> Self.bucketShift < horizon {
                let item = overflow.removeMin()
                let bucket = item.at.nanoseconds >> Self.bucketShift
                if bucket <= currentBucket {
                    current.insert(item)
                } else {
                    buckets[Int(bucket) & (Self.bucketCount - 1)].append(item)
                    onWheel += 1
                }
            }
        }
        guard let head = current.min, head.at <= limit else { return nil }
        current.removeMin()
        count -= 1
        return (head.at, head.event)
    }
}

/// What the engine must hand to a model next.
enum Step {
    case client(ClientID, ClientInput, now: Instant)
    case server(ServerInput, now: Instant)
}

/// The part of a run both engines share: the event queue, the network between clients and server, the
/// fault schedule, and the recorder. The engines differ only in where the models live and how a step
/// reaches them: the `events` engine calls them in place, the `actors` engine sends them to actors.
struct SimulationCore {
    let scenario: Scenario
    let settings: ModelSettings
    let population: Population
    private let sizes: MessageSizes
    let end: Instant
    private(set) var queue = EventQueue()
    private(set) var recorder: Recorder
    private(set) var now = Instant.zero
    private(set) var processed = 0
    /// Each client's socket the network can currently carry a ping to.
    private var links: [ConnectionID?]
    private var downlinks: [RandomStream]
    private let roomPeers: [Int]

    init(scenario: Scenario, settings: ModelSettings, population: Population, platforms: [Platform]) {
        self.scenario = scenario
        self.settings = settings
        self.population = population
        sizes = MessageSizes(design: scenario.presence.design, payloadBytes: scenario.presence.payloadBytes)
        end = Instant.zero + scenario.duration
        recorder = Recorder(scenario: scenario, population: population, platforms: platforms)
        links = Array(repeating: nil, count: population.clientCount)
        downlinks = (0..<population.clientCount).map {
            RandomStream(seed: scenario.seed, stream: UInt64($0), purpose: .downlink)
        }
        roomPeers = population.roomOf.map { population.members(of: $0).count - 1 }
    }

    /// Schedules the run's opening: every client starts, faults and timeline samples are placed.
    mutating func begin() {
        for client in 0..<population.clientCount {
            queue.schedule(.client(ClientID(client), .start), at: .zero)
        }
        for (index, fault) in scenario.faults.enumerated() {
            let at = Instant.zero + fault.at
            switch fault.kind {
            case .restartCore: queue.schedule(.server(.restartCore), at: at)
            case .partition: queue.schedule(.partition(index), at: at)
            case .latencySpike: break  // Read by the latency draws through `ModelSettings`.
            }
        }
        var sampleAt = Instant.zero + scenario.warmup + scenario.timeline
        while sampleAt <= end {
            queue.schedule(.sample, at: sampleAt)
            sampleAt = sampleAt + scenario.timeline
        }
    }

    /// Advances to the next step that needs a model, handling the network's own events on the way.
    /// Returns nil when the run has reached its end.
    mutating func next() -> Step? {
        while let (at, event) = queue.pop(through: end) {
            now = at
            processed += 1
            switch event {
            case .client(let client, let input):
                return .client(client, input, now: at)
            case .server(let input):
                return .server(input, now: at)
            case .ping(let client, let id):
                let answered = links[client.index] == id
                if answered {
                    recorder.transportPing(client, bytesDown: sizes.ping.down, bytesUp: sizes.ping.up, now: at)
                }
                return .server(.ping(client, id, answered: answered), now: at)
            case .partition(let index):
                partition(index, at: at)
            case .sample:
                recorder.sample(now: at)
            }
        }
        now = end
        recorder.finish(now: end)
        return nil
    }

    /// Ends the run early at the current instant, closing what was measured so far.
    mutating func stop() { recorder.finish(now: now) }

    private mutating func partition(_ index: Int, at: Instant) {
        guard case .partition(let share, let duration) = scenario.faults[index].kind else { return }
        for client in 0..<population.clientCount {
            var random = RandomStream(seed: scenario.seed ^ UInt64(index), stream: UInt64(client), purpose: .faults)
            guard random.chance(share) else { continue }
            queue.schedule(.client(ClientID(client), .networkLost), at: at)
            queue.schedule(.client(ClientID(client), .networkRestored), at: at + duration)
        }
    }

    // MARK: Effects

    mutating func apply(_ effects: [ClientEffect], of client: ClientID) {
        for effect in effects {
            switch effect {
            case .send(let message, let arrival):
                recorder.sent(message, by: client, bytes: sizes.up(message), now: now)
                if let arrival, arrival <= end { queue.schedule(.server(.message(from: client, message)), at: arrival) }
            case .schedule(let timer, let tag, let at):
                if at <= end { queue.schedule(.client(client, .timer(timer, tag: tag)), at: at) }
            case .truth(let present, let cause):
                recorder.truthChanged(client, present: present, cause: cause, now: now)
            case .truthTyping(let isTyping):
                recorder.typingChanged(client, isTyping: isTyping, now: now)
            case .show(let entry):
                recorder.show(entry, to: client, now: now)
            case .showTyping(let subject, let isTyping):
                recorder.showTyping(subject, isTyping: isTyping, to: client, now: now)
            case .showAll(let entries):
                recorder.showAll(entries, to: client, now: now)
            case .showAllTyping(let typing):
                recorder.showAllTyping(typing, to: client, now: now)
            case .clearView:
                recorder.clearView(of: client, now: now)
            case .link(let id):
                links[client.index] = id
            case .received:
                recorder.received(by: client, now: now)
            }
        }
    }

    mutating func apply(_ effects: [ServerEffect]) {
        for effect in effects {
            switch effect {
            case .deliver(let client, let message):
                deliver(message, to: client)
            case .fanout(let recipients):
                recorder.fanout(recipients: recipients, now: now)
            case .schedule(let timer, let tag, let at):
                if at <= end { queue.schedule(.server(.timer(timer, tag: tag)), at: at) }
            case .ping(let client, let id, let at):
                if at <= end { queue.schedule(.ping(client, id), at: at) }
            case .pingTimeout(let client, let id, let at):
                if at <= end { queue.schedule(.server(.pingTimeout(client, id)), at: at) }
            case .storeView(let client, let until):
                recorder.storeView(client, presentUntil: until, now: now)
            case .lastSeen(let client, let value):
                recorder.lastSeenWritten(client, value: value)
            case .storeOps(let count):
                recorder.storeOperations(count, now: now)
            }
        }
    }

    /// Sends a server message through the recipient's downlink, with draws from the recipient's own
    /// downlink stream.
    private mutating func deliver(_ message: Inbound, to client: ClientID) {
        recorder.countDown(bytes: sizes.down(message, roomPeers: roomPeers[client.index]), now: now)
        guard let transit = settings.transit(&downlinks[client.index], at: now) else { return }
        let arrival = now + transit
        if arrival <= end { queue.schedule(.client(client, .message(message)), at: arrival) }
    }
}
