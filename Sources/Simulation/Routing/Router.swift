import PresenceCore
import Scenario

/// What a shell — a virtual-time engine, or the load test's drivers and shards — does with what the
/// router decided: it owns the time queue and the measurements, the router owns the network.
///
/// Every instant the router hands over is no later than the end of the run: the shell never needs to
/// guard against scheduling past it. The observation methods have empty defaults, so a shell that does
/// not measure something (the load test measures no staleness) leaves them out.
protocol RouterHost {
    /// A client's message reaches the server at `at`.
    mutating func uplink(_ message: Uplink, from client: ClientID, arrivesAt at: Instant)
    /// An input of the server's own (a timer, a ping timeout, a fault) is due at `at`.
    mutating func schedule(_ input: ServerInput, at: Instant)
    /// An input reaches a client's model at `at`: a message from the server, its own timer, a fault.
    mutating func schedule(_ input: ClientInput, for client: ClientID, at: Instant)
    /// The transport pings a client's socket at `at`; when it is due, the shell asks
    /// ``Router/ping(_:_:now:host:)`` whether the client answers.
    mutating func schedulePing(_ client: ClientID, _ id: ConnectionID, at: Instant)
    /// A fault that acts on each client (a partition or a surge, number `fault` in the scenario) begins at
    /// `at`; when it is due, the shell calls ``Router/clientFault(_:clients:now:host:)`` for the clients it
    /// owns.
    mutating func scheduleClientFault(_ fault: Int, at: Instant)

    /// A client sent a message (lost or not): it costs bytes and wakes a phone's radio.
    mutating func sent(_ message: Uplink, by client: ClientID, bytes: Int, now: Instant)
    /// The server sent a message to a client (whether or not the network delivers it).
    mutating func delivered(_ message: Inbound, to client: ClientID, bytes: Int, now: Instant)
    /// A transport ping reached a live client and its pong came back.
    mutating func pinged(_ client: ClientID, bytesDown: Int, bytesUp: Int, now: Instant)
    /// A client effect the router does not route: ground truth and what the client shows.
    mutating func observe(_ effect: ClientEffect, of client: ClientID, now: Instant)
    /// A server effect the router does not route: fan-out, the store's view, last seen, store operations.
    mutating func observe(_ effect: ServerEffect, now: Instant)
}

extension RouterHost {
    mutating func sent(_ message: Uplink, by client: ClientID, bytes: Int, now: Instant) {}
    mutating func delivered(_ message: Inbound, to client: ClientID, bytes: Int, now: Instant) {}
    mutating func pinged(_ client: ClientID, bytesDown: Int, bytesUp: Int, now: Instant) {}
    mutating func observe(_ effect: ClientEffect, of client: ClientID, now: Instant) {}
    mutating func observe(_ effect: ServerEffect, now: Instant) {}
}

/// The network and the routing of every effect, for every engine and the load test.
///
/// The client model says what it sends and the server model whom it tells; the router decides when
/// each message arrives (latency, loss, TCP ordering, latency spikes, from each client's link), turns
/// timers into inputs due at their instants, answers the transport's pings from what the network can
/// reach, places the faults and expands partitions and surges, and drops everything due after the end of the run.
/// The shells differ only in what ``RouterHost`` does: a virtual-time queue and the recorder, or the
/// load test's wall-clock queues and statistics.
struct Router: Sendable {
    let settings: ModelSettings
    let population: Population
    let end: Instant
    private let sizes: MessageSizes
    /// The network conditions of each client group (a cohort, or the whole population), by
    /// ``ModelSettings/groupIndex(of:)``.
    private let networks: [NetworkConditions]
    /// Each client's link, by client index.
    private var links: [ClientLink]

    init(scenario: Scenario, settings: ModelSettings, population: Population, end: Instant) {
        self.settings = settings
        self.population = population
        self.end = end
        sizes = MessageSizes(design: scenario.presence.design, payloadBytes: scenario.presence.payloadBytes)
        networks = settings.groupNetworks.map { NetworkConditions(network: $0, scenario: scenario) }
        links = (0..<population.clientCount).map { ClientLink(seed: scenario.seed, client: $0) }
    }

    // MARK: Faults

    /// Places the scenario's faults: restarts as server inputs, partitions and surges as client-fault
    /// events. Latency spikes need nothing scheduled: the links read them.
    func scheduleFaults<Host: RouterHost>(_ faults: [Fault], host: inout Host) {
        for (index, fault) in faults.enumerated() {
            let at = Instant.zero + fault.at
            guard at <= end else { continue }
            switch fault.kind {
            case .restartCore: host.schedule(.restartCore, at: at)
            case .restartServer: host.schedule(.restartServer, at: at)
            case .partition, .surge: host.scheduleClientFault(index, at: at)
            case .latencySpike: break
            }
        }
    }

    /// A fault that acts on each client begins; each client is drawn with the fault's share from its own
    /// fault stream. A partition: those it takes lose their network now and get it back after the fault's
    /// duration. A surge: those it takes get a surge input now with a delay uniform in [0, within), and
    /// come online after it if they are offline now.
    func clientFault<Host: RouterHost>(
        _ fault: Int, clients: some Sequence<Int>, now: Instant, host: inout Host
    ) {
        switch settings.faults[fault].kind {
        case .partition(let share, let duration):
            for client in clients {
                var random = faultStream(fault, client)
                guard random.chance(share) else { continue }
                host.schedule(.networkLost, for: ClientID(client), at: now)
                if now + duration <= end { host.schedule(.networkRestored, for: ClientID(client), at: now + duration) }
            }
        case .surge(let share, let within):
            for client in clients {
                var random = faultStream(fault, client)
                guard random.chance(share) else { continue }
                let delay = Interval(seconds: random.unit() * within.seconds)
                host.schedule(.surge(after: min(delay, end - now)), for: ClientID(client), at: now)
            }
        case .restartCore, .restartServer, .latencySpike:
            break
        }
    }

    /// The draws of fault number `fault` for `client`.
    private func faultStream(_ fault: Int, _ client: Int) -> RandomStream {
        RandomStream(seed: settings.seed ^ UInt64(fault), stream: UInt64(client), purpose: .faults)
    }

    // MARK: Client effects

    /// Routes what a client's model asked for at `now`.
    mutating func route<Host: RouterHost>(
        _ effects: [ClientEffect], of client: ClientID, now: Instant, host: inout Host
    ) {
        for effect in effects {
            switch effect {
            case .send(let message, let networkDown):
                host.sent(message, by: client, bytes: sizes.up(message), now: now)
                // Nothing leaves a device without network.
                let network = networks[settings.groupIndex(of: client)]
                guard !networkDown, let arrival = links[client.index].up.arrival(sentAt: now, network: network),
                    arrival <= end
                else { continue }
                host.uplink(message, from: client, arrivesAt: arrival)
            case .schedule(let timer, let tag, let at):
                if at <= end { host.schedule(.timer(timer, tag: tag), for: client, at: at) }
            case .link(let id):
                links[client.index].socket = id
            case .truth, .truthTyping, .show, .showStatus, .showTyping, .showAll, .showAllTyping, .clearView, .received:
                host.observe(effect, of: client, now: now)
            }
        }
    }

    /// The transport's ping to `client`'s socket `id` is due: the client answers when the network can
    /// still reach it on that socket. Returns the server's input.
    mutating func ping<Host: RouterHost>(_ client: ClientID, _ id: ConnectionID, now: Instant, host: inout Host)
        -> ServerInput
    {
        let answered = links[client.index].socket == id
        if answered { host.pinged(client, bytesDown: sizes.ping.down, bytesUp: sizes.ping.up, now: now) }
        return .ping(client, id, answered: answered)
    }

    // MARK: Server effects

    /// Routes what the server model asked for at `now`.
    mutating func route<Host: RouterHost>(_ effects: [ServerEffect], now: Instant, host: inout Host) {
        for effect in effects {
            switch effect {
            case .deliver(let client, let message):
                host.delivered(message, to: client, bytes: sizes.down(message), now: now)
                let network = networks[settings.groupIndex(of: client)]
                guard let arrival = links[client.index].down.arrival(sentAt: now, network: network), arrival <= end
                else { continue }
                host.schedule(.message(message), for: client, at: arrival)
            case .schedule(let timer, let tag, let at):
                if at <= end { host.schedule(.timer(timer, tag: tag), at: at) }
            case .ping(let client, let id, let at):
                if at <= end { host.schedulePing(client, id, at: at) }
            case .pingTimeout(let client, let id, let at):
                if at <= end { host.schedule(.pingTimeout(client, id), at: at) }
            case .fanout, .storeView, .lastSeen, .storeOps, .keyExpired:
                host.observe(effect, now: now)
            }
        }
    }
}
