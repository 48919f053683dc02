import Foundation
import PresenceCore
import Scenario
import Synchronization

/// The wall clock of a load test and its mapping onto simulated time. Its time starts at `start()`,
/// once the clients and shards are built and the opening events are in place.
final class LoadClock: Sendable {
    let schedule: SpeedSchedule
    /// The monotonic clock's reading at the start, in nanoseconds.
    private let origin = Atomic<Int64>(0)

    init(schedule: SpeedSchedule) { self.schedule = schedule }

    func start() { origin.store(Self.monotonic(), ordering: .relaxed) }

    /// Wall-clock nanoseconds since the test began.
    func wallNow() -> Int64 { Self.monotonic() - origin.load(ordering: .relaxed) }

    func simulatedNow() -> Instant { schedule.simulated(atWall: wallNow()) }

    /// The monotonic clock in nanoseconds, read directly: it is read a few times per event.
    private static func monotonic() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

/// Something due at a simulated instant in a load test.
enum LoadEvent: Sendable {
    case client(ClientID, ClientInput)
    /// A client's message reaches the core: an operation.
    case uplink(ClientID, Uplink)
    /// The transport pings a client's socket: the network answers, the core handles the answer.
    case ping(ClientID, ConnectionID)
    /// An input of the core's own (timers, faults) for one shard.
    case shard(Int, ServerInput)
    /// A partition fault begins (index into the scenario's faults).
    case partition(Int)
}

/// One step of a load test as measured.
public struct LoadStep: Sendable {
    public var index: Int
    public var speed: Double
    public var wallSeconds: Double
    /// Operations due in the step (by `OperationKind`), and those the core finished in it.
    public var offered: [Int]
    public var achieved: [Int]
    public var events: Int
    public var deliveries: Int
    public var lag: LatencySummary
    public var latency: LatencySummary
    /// Inputs the core shards handled in the step (operations, timers, faults), and the wall-clock time
    /// they spent on them, summed over shards.
    public var coreInputs: Int
    public var coreBusySeconds: Double

    public var offeredTotal: Int { offered.reduce(0, +) }
    public var achievedTotal: Int { achieved.reduce(0, +) }

    /// The share of the step the shards spent handling inputs (1 = every shard busy all the time).
    public func coreBusyShare(shards: Int) -> Double {
        wallSeconds > 0 ? coreBusySeconds / (wallSeconds * Double(shards)) : 0
    }

    /// Mean wall-clock time a shard spent on one input: one shard can serve at most its inverse per second.
    public var coreServiceTime: Double { coreInputs > 0 ? coreBusySeconds / Double(coreInputs) : 0 }
}

/// The result of one load test.
public struct LoadOutcome: Sendable {
    public var shards: Int
    /// Tasks that fire due events (each owns a share of the clients).
    public var drivers: Int
    public var schedule: SpeedSchedule
    /// The steps that ran, in order.
    public var steps: [LoadStep]
    public var wallSeconds: Double
    public var simulated: Instant
    /// Operation latency by `OperationKind`: from the call to the core to its return.
    public var latency: [LatencySummary]
    /// How late events fired against the wall-clock instant their simulated time maps to.
    public var lag: LatencySummary
    /// Entries that lapsed in the store, and of those, the ones the tester caused by falling behind.
    public var lapses: Int
    public var testerLapses: Int
    /// False when the test was interrupted.
    public var complete: Bool

    /// Operations due, and finished, over the whole test, by `OperationKind`.
    public var offered: [Int] {
        OperationKind.allCases.map { kind in steps.reduce(0) { $0 + $1.offered[kind.rawValue] } }
    }
    public var achieved: [Int] {
        OperationKind.allCases.map { kind in steps.reduce(0) { $0 + $1.achieved[kind.rawValue] } }
    }
    public var events: Int { steps.reduce(0) { $0 + $1.events } }
    public var deliveries: Int { steps.reduce(0) { $0 + $1.deliveries } }
    public var coreInputs: Int { steps.reduce(0) { $0 + $1.coreInputs } }
    public var coreBusySeconds: Double { steps.reduce(0) { $0 + $1.coreBusySeconds } }
    /// The share of the test the shards spent handling inputs.
    public var coreBusyShare: Double { wallSeconds > 0 ? coreBusySeconds / (wallSeconds * Double(shards)) : 0 }
    /// Mean wall-clock time a shard spent on one input.
    public var coreServiceTime: Double { coreInputs > 0 ? coreBusySeconds / Double(coreInputs) : 0 }
}

/// `presence-sim load`: the behaviour models as client actors on Swift's concurrent executor, in real
/// time compressed by a speed schedule, against the presence core sharded by room over actors.
///
/// Clients are split over a few driver tasks; a driver pops what is due from its own time queue, runs
/// the client's model on its actor, and calls the shard that owns the client's room for each message,
/// timing the call. A driver awaits each call in turn and yields between batches, so no client loop
/// holds a thread: when the core cannot keep up, work waits in the queues and shows as lag.
public enum LoadTest {
    public struct Options: Sendable {
        public var shards: Int
        public var schedule: SpeedSchedule
        /// Whether the scenario's faults happen (a capacity ramp leaves them out).
        public var faults: Bool
        public var drivers: Int

        public init(shards: Int, schedule: SpeedSchedule, faults: Bool, drivers: Int? = nil) {
            self.shards = shards
            self.schedule = schedule
            self.faults = faults
            self.drivers = drivers ?? max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    /// Runs a load test to the schedule's end, until `onStep` returns false after a step, or until
    /// `shouldStop` returns true (polled every 100 ms).
    public static func run(
        _ scenario: Scenario, options: Options, onStep: @escaping @Sendable (LoadStep) -> Bool,
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> LoadOutcome {
        let settings = ModelSettings(scenario: scenario)
        let population = Population(scenario: scenario)
        let clock = LoadClock(schedule: options.schedule)
        let context = LoadContext(
            scenario: scenario, settings: settings, population: population, clock: clock, options: options)
        await context.seed()
        clock.start()
        let started = ContinuousClock.now
        let ending = await withTaskGroup(of: LoadContext.Ending?.self) { group in
            for driver in context.drivers {
                group.addTask {
                    await driver.run(context)
                    return nil
                }
            }
            group.addTask { await context.control(onStep: onStep, shouldStop: shouldStop) }
            var ending: LoadContext.Ending?
            for await result in group where result != nil { ending = result }
            return ending!
        }
        return await context.outcome(wall: ContinuousClock.now - started, ending: ending)
    }
}

/// Everything the drivers share: immutable, apart from the stop flag and each driver's locked state.
final class LoadContext: Sendable {
    let scenario: Scenario
    let settings: ModelSettings
    let population: Population
    let clock: LoadClock
    let clients: [LoadClient]
    let shards: [CoreShard]
    let drivers: [LoadDriver]
    let faults: Bool
    private let stopped = Atomic<Bool>(false)

    init(
        scenario: Scenario, settings: ModelSettings, population: Population, clock: LoadClock, options: LoadTest.Options
    ) {
        self.scenario = scenario
        self.settings = settings
        self.population = population
        self.clock = clock
        faults = options.faults
        clients = (0..<population.clientCount).map { index in
            LoadClient(model: Simulator.clientModel(index, settings: settings, population: population))
        }
        shards = (0..<options.shards).map { _ in
            CoreShard(settings: settings, population: population, clock: clock)
        }
        drivers = (0..<options.drivers).map { LoadDriver(index: $0) }
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }

    func shard(of client: ClientID) -> Int { population.roomOf[client.index].index % shards.count }
    func driver(of client: ClientID) -> LoadDriver { drivers[client.index % drivers.count] }
    func driver(ofShard shard: Int) -> LoadDriver { drivers[shard % drivers.count] }

    /// Places the opening events: every client starts, the shards' own timers, the faults.
    func seed() async {
        for client in 0..<population.clientCount {
            driver(of: ClientID(client)).schedule(.client(ClientID(client), .start), at: .zero)
        }
        var output: [ShardOutput] = []
        for (index, shard) in shards.enumerated() {
            output.removeAll()
            await shard.start(into: &output)
            route(output, from: index, by: nil)
        }
        guard faults else { return }
        for (index, fault) in scenario.faults.enumerated() {
            let at = Instant.zero + fault.at
            switch fault.kind {
            case .restartCore, .restartServer:
                let input: ServerInput = fault.kind == .restartCore ? .restartCore : .restartServer
                for shard in shards.indices { driver(ofShard: shard).schedule(.shard(shard, input), at: at) }
            case .partition:
                for driver in drivers { driver.schedule(.partition(index), at: at) }
            case .latencySpike:
                break  // Read by the latency draws through `ModelSettings`.
            }
        }
    }

    /// Sends a shard's outputs to the drivers whose queues they belong in; `caller` counts the transport
    /// pings among them as offered operations.
    func route(_ output: [ShardOutput], from shard: Int, by caller: LoadDriver?) {
        for item in output {
            switch item {
            case .deliver(let client, let message, let at):
                driver(of: client).schedule(.client(client, .message(message)), at: at)
            case .later(let input, let at):
                driver(ofShard: shard).schedule(.shard(shard, input), at: at)
            case .ping(let client, let id, let at):
                driver(of: client).schedule(.ping(client, id), at: at)
                let step = clock.schedule.step(atSimulated: at)
                caller?.statistics.withLock { $0.offered(.ping, step: step) }
            }
        }
    }

    /// How a test ended: the last step that ran (whole, unless interrupted), and whether it was
    /// interrupted.
    struct Ending: Sendable {
        var lastStep: Int
        var interrupted: Bool
    }

    /// Watches the steps go by: hands each finished step to `onStep`, stops the test when it says so,
    /// when `shouldStop` says so, or at the schedule's end.
    func control(onStep: @Sendable (LoadStep) -> Bool, shouldStop: @Sendable () -> Bool) async -> Ending {
        defer { stop() }
        let schedule = clock.schedule
        for (index, step) in schedule.steps.enumerated() {
            while clock.wallNow() < step.wallEnd {
                if shouldStop() { return Ending(lastStep: index, interrupted: true) }
                let remaining = step.wallEnd - clock.wallNow()
                try? await Task.sleep(for: .nanoseconds(max(1_000_000, min(remaining, 100_000_000))))
            }
            if !onStep(await measuredStep(index)) { return Ending(lastStep: index, interrupted: false) }
        }
        return Ending(lastStep: schedule.steps.count - 1, interrupted: false)
    }

    /// Step `index` as the drivers measured it so far.
    func measuredStep(_ index: Int) async -> LoadStep {
        var counts = StepCounts()
        for driver in drivers { counts.add(driver.statistics.withLock { $0[step: index] }) }
        var busy: Int64 = 0
        var inputs = 0
        for shard in shards {
            let (nanoseconds, handled) = await shard.busy(inStep: index)
            busy += nanoseconds
            inputs += handled
        }
        let step = clock.schedule.steps[index]
        return LoadStep(
            index: index, speed: step.speed, wallSeconds: Double(step.wallEnd - step.wallStart) * 1e-9,
            offered: counts.offered, achieved: counts.achieved, events: counts.events, deliveries: counts.deliveries,
            lag: counts.lag.summary, latency: counts.latency.summary, coreInputs: inputs,
            coreBusySeconds: Double(busy) * 1e-9)
    }

    func outcome(wall: Duration, ending: Ending) async -> LoadOutcome {
        let lastStep = ending.lastStep
        let wallNanoseconds = min(clock.wallNow(), clock.schedule.steps[lastStep].wallEnd)
        var latency = OperationKind.allCases.map { _ in WallHistogram(precise: true) }
        var lag = WallHistogram(precise: true)
        for driver in drivers {
            driver.statistics.withLock { statistics in
                for kind in latency.indices { latency[kind].add(statistics.latency[kind]) }
                lag.add(statistics.lag)
            }
        }
        var steps: [LoadStep] = []
        for index in 0...lastStep { steps.append(await measuredStep(index)) }
        if let last = steps.indices.last {
            // The last step may have been cut short.
            let start = clock.schedule.steps[last].wallStart
            steps[last].wallSeconds = Double(max(0, wallNanoseconds - start)) * 1e-9
        }
        var lapses = 0
        var testerLapses = 0
        for shard in shards {
            let counts = await shard.finish()
            lapses += counts.lapses
            testerLapses += counts.testerCaused
        }
        let components = wall.components
        return LoadOutcome(
            shards: shards.count, drivers: drivers.count, schedule: clock.schedule, steps: steps,
            wallSeconds: Double(components.seconds) + Double(components.attoseconds) * 1e-18,
            simulated: clock.schedule.simulated(atWall: wallNanoseconds),
            latency: latency.map(\.summary), lag: lag.summary, lapses: lapses, testerLapses: testerLapses,
            complete: !ending.interrupted)
    }
}

/// A task that fires the due events of its share of the clients (and of some shards' timers).
final class LoadDriver: Sendable {
    let index: Int
    private let queue = Locked(CalendarQueue<LoadEvent>())
    let statistics = Locked(DriverStatistics())

    init(index: Int) { self.index = index }

    func schedule(_ event: LoadEvent, at instant: Instant) {
        queue.withLock { $0.schedule(event, at: instant) }
    }

    /// Fires due events until the test stops.
    func run(_ context: LoadContext) async {
        let clock = context.clock
        let schedule = clock.schedule
        var state = DriverState(clientCount: context.population.clientCount)
        var batch: [(at: Instant, event: LoadEvent)] = []
        while !context.isStopped {
            let wall = clock.wallNow()
            guard wall < schedule.wallEnd else { break }
            let now = schedule.simulated(atWall: wall)
            batch.removeAll(keepingCapacity: true)
            let next: Instant? = queue.withLock { queue in
                while batch.count < 256, let item = queue.pop(through: now) { batch.append(item) }
                return batch.isEmpty ? queue.nextInstant() : nil
            }
            if batch.isEmpty {
                // Nothing due: sleep until the next event (at most a millisecond: other drivers and the
                // shards may schedule something sooner).
                let wake = next.map { schedule.wall(atSimulated: $0) - wall } ?? 1_000_000
                try? await Task.sleep(for: .nanoseconds(min(max(wake, 20_000), 1_000_000)))
                continue
            }
            for (due, event) in batch {
                let started = clock.wallNow()
                statistics.withLock {
                    $0.dispatched(
                        lag: started - schedule.wall(atSimulated: due), step: schedule.step(atWall: started))
                }
                await fire(event, due: due, context, &state)
            }
            // Let other tasks have the thread even when every call returned without suspending.
            await Task.yield()
        }
    }

    private func fire(_ event: LoadEvent, due: Instant, _ context: LoadContext, _ state: inout DriverState) async {
        switch event {
        case .client(let client, let input):
            state.clientEffects.removeAll(keepingCapacity: true)
            await context.clients[client.index].handle(input, due: due, into: &state.clientEffects)
            apply(state.clientEffects, of: client, context, &state)
        case .uplink(let client, let message):
            await call(
                .message(from: client, message), kind: OperationKind(message), shard: context.shard(of: client),
                due: due, context, &state)
        case .ping(let client, let id):
            let answered = state.links[client.index] == id
            await call(
                .ping(client, id, answered: answered), kind: .ping, shard: context.shard(of: client), due: due,
                context, &state)
        case .shard(let shard, let input):
            await call(input, kind: nil, shard: shard, due: due, context, &state)
        case .partition(let index):
            guard case .partition(let share, let duration) = context.scenario.faults[index].kind else { return }
            for client in stride(from: self.index, to: context.population.clientCount, by: context.drivers.count)
            where Faults.isPartitioned(ClientID(client), fault: index, share: share, seed: context.settings.seed) {
                schedule(.client(ClientID(client), .networkLost), at: due)
                schedule(.client(ClientID(client), .networkRestored), at: due + duration)
            }
        }
    }

    /// Calls a shard with `input`, timing operations (a `kind`), and routes what the shard answers.
    private func call(
        _ input: ServerInput, kind: OperationKind?, shard: Int, due: Instant, _ context: LoadContext,
        _ state: inout DriverState
    ) async {
        state.shardOutput.removeAll(keepingCapacity: true)
        let clock = context.clock
        let started = clock.wallNow()
        let deliveries = await context.shards[shard].handle(input, due: due, into: &state.shardOutput)
        let finished = clock.wallNow()
        let step = clock.schedule.step(atWall: finished)
        statistics.withLock { statistics in
            if let kind { statistics.finished(kind, latency: finished - started, step: step) }
            statistics.delivered(deliveries, step: step)
        }
        context.route(state.shardOutput, from: shard, by: self)
    }

    private func apply(
        _ effects: [ClientEffect], of client: ClientID, _ context: LoadContext, _ state: inout DriverState
    ) {
        let plan = context.clock.schedule
        let end = plan.simulatedEnd
        for effect in effects {
            switch effect {
            case .send(let message, let arrival):
                guard let arrival, arrival <= end else { continue }
                schedule(.uplink(client, message), at: arrival)
                let step = plan.step(atSimulated: arrival)
                statistics.withLock { $0.offered(OperationKind(message), step: step) }
            case .schedule(let timer, let tag, let at):
                if at <= end { schedule(.client(client, .timer(timer, tag: tag)), at: at) }
            case .link(let id):
                state.links[client.index] = id
            case .truth, .truthTyping, .show, .showTyping, .showAll, .showAllTyping, .clearView, .received:
                break  // Staleness is the virtual-time engines' measurement.
            }
        }
    }
}

/// A driver's working state, owned by its task.
struct DriverState {
    var clientEffects: [ClientEffect] = []
    var shardOutput: [ShardOutput] = []
    /// The connection the network can carry a ping to, for the driver's own clients.
    var links: [ConnectionID?]

    init(clientCount: Int) { links = Array(repeating: nil, count: clientCount) }
}
