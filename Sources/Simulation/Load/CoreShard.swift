import PresenceCore

/// One shard of the presence core under load: the server model for the rooms that hash to it, as an
/// actor on the concurrent executor, with its own router for the downlinks of its clients.
///
/// The shard reads the wall clock when an input reaches it, so its model runs at the simulated time the
/// input is actually handled — later than due when the tester or the shard falls behind.
actor CoreShard {
    private let clock: LoadClock
    private var server: PresenceServer
    private var router: Router
    private var host: LoadHost
    /// What the design sends to Redis for each input, when the test drives a Redis server.
    private let commands: RedisCommands?
    private var now = Instant.zero
    private var effects: [ServerEffect] = []
    /// Wall-clock nanoseconds spent handling inputs, and inputs handled, by step.
    private var busy: [(nanoseconds: Int64, inputs: Int)] = []

    init(server: PresenceServer, router: Router, host: LoadHost, commands: RedisCommands?) {
        clock = host.queues.clock
        self.commands = commands
        self.server = server
        self.router = router
        self.host = host
    }

    /// Routes the server's opening effects (a periodic sweep).
    func start() {
        effects.removeAll(keepingCapacity: true)
        server.start(now: .zero, into: &effects)
        router.route(effects, now: .zero, host: &host)
    }

    /// Handles `input`, due at `due`, at the simulated time it arrives; returns the number of messages
    /// it sent to clients, and what the design sends to Redis for it (nothing without a Redis target).
    func handle(_ input: ServerInput, due: Instant) -> (deliveries: Int, requests: [StoreRequest]) {
        let started = clock.wallNow()
        now = max(now, due, clock.schedule.simulated(atWall: started))
        effects.removeAll(keepingCapacity: true)
        server.handle(input, now: now, into: &effects)
        host.due = due
        host.deliveries = 0
        router.route(effects, now: now, host: &host)
        let finished = clock.wallNow()
        let step = clock.schedule.step(atWall: finished)
        while busy.count <= step { busy.append((0, 0)) }
        busy[step].nanoseconds += finished - started
        busy[step].inputs += 1
        let requests =
            commands?.requests(for: input, effects: effects, now: now, speed: clock.schedule.steps[step].speed) ?? []
        return (host.deliveries, requests)
    }

    /// The time the shard spent handling inputs in step `index`, and how many it handled.
    func busy(inStep index: Int) -> (nanoseconds: Int64, inputs: Int) { index < busy.count ? busy[index] : (0, 0) }

    /// The entries that lapsed, and how many of those the tester caused.
    func finish() -> (lapses: Int, testerCaused: Int) {
        host.lapses.finish(at: min(router.end, clock.simulatedNow()))
        return (host.lapses.lapses, host.lapses.testerCaused)
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
