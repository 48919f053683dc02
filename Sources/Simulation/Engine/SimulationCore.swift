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

/// The virtual-time event queue of a run.
typealias EventQueue = CalendarQueue<SimEvent>

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
    /// The network's side of each client, in one record per client (one place in memory per event).
    private var links: [ClientLink]

    init(scenario: Scenario, settings: ModelSettings, population: Population, platforms: [Platform]) {
        self.scenario = scenario
        self.settings = settings
        self.population = population
        sizes = MessageSizes(design: scenario.presence.design, payloadBytes: scenario.presence.payloadBytes)
        end = Instant.zero + scenario.duration
        recorder = Recorder(scenario: scenario, population: population, platforms: platforms)
        links = population.roomOf.indices.map { client in
            ClientLink(
                downlink: Downlink(seed: scenario.seed, client: client),
                roomPeers: population.members(of: population.roomOf[client]).count - 1)
        }
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
            case .restartServer: queue.schedule(.server(.restartServer), at: at)
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
                let answered = links[client.index].socket == id
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
        for client in 0..<population.clientCount
        where Faults.isPartitioned(ClientID(client), fault: index, share: share, seed: scenario.seed) {
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
                links[client.index].socket = id
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

    /// Sends a server message through the recipient's downlink.
    private mutating func deliver(_ message: Inbound, to client: ClientID) {
        recorder.countDown(bytes: sizes.down(message, roomPeers: links[client.index].roomPeers), now: now)
        guard let arrival = links[client.index].downlink.arrival(sentAt: now, settings: settings), arrival <= end
        else { return }
        queue.schedule(.client(client, .message(message)), at: arrival)
    }
}

/// The network from the server to one client: latency and loss drawn from the client's own downlink
/// stream, and on a socket, messages that arrive in the order they were sent.
struct Downlink {
    private var stream: RandomStream
    /// When the client's last socket message arrives.
    private var lastArrival = Instant.zero

    init(seed: UInt64, client: Int) { stream = RandomStream(seed: seed, stream: UInt64(client), purpose: .downlink) }

    /// When a message sent at `now` arrives, or nil when the network loses it.
    mutating func arrival(sentAt now: Instant, settings: ModelSettings) -> Instant? {
        guard let transit = settings.transit(&stream, at: now) else { return nil }
        var arrival = now + transit
        if settings.presence.design != .httpPolling {
            // A socket is a TCP stream: a message never overtakes the one sent before it.
            arrival = max(arrival, lastArrival)
            lastArrival = arrival
        }
        return arrival
    }
}

/// The network between the server and one client.
private struct ClientLink {
    var downlink: Downlink
    /// The number of other members in the client's room (sizes of room-wide messages).
    let roomPeers: Int
    /// The client's socket the network can currently carry a ping to.
    var socket: ConnectionID?

    init(downlink: Downlink, roomPeers: Int) {
        self.downlink = downlink
        self.roomPeers = roomPeers
    }
}

/// Fault decisions every engine and the load test share.
enum Faults {
    /// Whether a partition fault (number `fault` in the scenario) takes `client`'s network away: each
    /// client is drawn with probability `share` from its own stream.
    static func isPartitioned(_ client: ClientID, fault: Int, share: Double, seed: UInt64) -> Bool {
        var random = RandomStream(seed: seed ^ UInt64(fault), stream: UInt64(client.index), purpose: .faults)
        return random.chance(share)
    }
}
