import PresenceCore

/// What a core shard asks the load test to do after an input.
enum ShardOutput: Sendable {
    /// A message reaches a client at `at` (after its downlink's latency).
    case deliver(ClientID, Inbound, at: Instant)
    /// The shard wants an input of its own at `at`: a timer, or the transport's ping timeout.
    case later(ServerInput, at: Instant)
    /// The transport pings a client's socket at `at`.
    case ping(ClientID, ConnectionID, at: Instant)
}

/// One shard of the presence core under load: the server model for the rooms that hash to it, as an
/// actor on the concurrent executor.
///
/// The shard reads the wall clock when an input reaches it, so its model runs at the simulated time the
/// input is actually handled — later than due when the tester or the shard falls behind.
actor CoreShard {
    private let clock: LoadClock
    private let end: Instant
    private var server: PresenceServer
    private let settings: ModelSettings
    private var downlinks: [Downlink]
    private var lapses = LapseTracker()
    private var now = Instant.zero
    private var effects: [ServerEffect] = []
    /// Wall-clock nanoseconds spent handling inputs, and inputs handled, by step.
    private var busy: [(nanoseconds: Int64, inputs: Int)] = []

    init(settings: ModelSettings, population: Population, clock: LoadClock) {
        self.clock = clock
        end = clock.schedule.simulatedEnd
        server = PresenceServer(settings: settings, population: population)
        self.settings = settings
        downlinks = (0..<population.clientCount).map { Downlink(seed: settings.seed, client: $0) }
    }

    /// The server's opening effects (a periodic sweep).
    func start(into output: inout [ShardOutput]) {
        effects.removeAll(keepingCapacity: true)
        server.start(now: .zero, into: &effects)
        translate(due: .zero, into: &output)
    }

    /// Handles `input`, due at `due`, at the simulated time it arrives.
    func handle(_ input: ServerInput, due: Instant, into output: inout [ShardOutput]) -> Int {
        let started = clock.wallNow()
        now = max(now, due, clock.schedule.simulated(atWall: started))
        effects.removeAll(keepingCapacity: true)
        server.handle(input, now: now, into: &effects)
        let deliveries = translate(due: due, into: &output)
        let finished = clock.wallNow()
        let step = clock.schedule.step(atWall: finished)
        while busy.count <= step { busy.append((0, 0)) }
        busy[step].nanoseconds += finished - started
        busy[step].inputs += 1
        return deliveries
    }

    /// The time the shard spent handling inputs in step `index`, and how many it handled.
    func busy(inStep index: Int) -> (nanoseconds: Int64, inputs: Int) { index < busy.count ? busy[index] : (0, 0) }

    /// The entries that lapsed, and how many of those the tester caused.
    func finish() -> (lapses: Int, testerCaused: Int) {
        lapses.finish(at: min(end, clock.simulatedNow()))
        return (lapses.lapses, lapses.testerCaused)
    }

    /// Turns the server's effects into outputs; returns the number of messages sent to clients.
    @discardableResult
    private func translate(due: Instant, into output: inout [ShardOutput]) -> Int {
        var deliveries = 0
        for effect in effects {
            switch effect {
            case .deliver(let client, let message):
                deliveries += 1
                if let arrival = downlinks[client.index].arrival(sentAt: now, settings: settings), arrival <= end {
                    output.append(.deliver(client, message, at: arrival))
                }
            case .schedule(let timer, let tag, let at):
                if at <= end { output.append(.later(.timer(timer, tag: tag), at: at)) }
            case .ping(let client, let id, let at):
                if at <= end { output.append(.ping(client, id, at: at)) }
            case .pingTimeout(let client, let id, let at):
                if at <= end { output.append(.later(.pingTimeout(client, id), at: at)) }
            case .storeView(let client, let until):
                lapses.storeView(client, presentUntil: until, now: now, due: due)
            case .fanout, .lastSeen, .storeOps:
                break
            }
        }
        return deliveries
    }
}

/// A simulated client under load: its behaviour model as an actor on the concurrent executor.
actor LoadClient {
    private var model: ClientModel
    private var now = Instant.zero

    init(model: ClientModel) { self.model = model }

    /// Runs the model at the simulated time the input was due: the model's own timeline stays exact,
    /// and whatever the tester is late by shows as lag, not as a changed behaviour.
    func handle(_ input: ClientInput, due: Instant, into effects: inout [ClientEffect]) {
        now = max(now, due)
        model.handle(input, now: now, into: &effects)
    }
}
