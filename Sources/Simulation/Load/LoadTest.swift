import Foundation
import PresenceCore
import RedisTarget
import Scenario
import Synchronization

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
        /// A Redis server the design's commands go to, besides the in-process core; nil for the core alone.
        public var redis: RedisOptions?

        public init(
            shards: Int, schedule: SpeedSchedule, faults: Bool, drivers: Int? = nil, redis: RedisOptions? = nil
        ) {
            self.shards = shards
            self.schedule = schedule
            self.faults = faults
            self.drivers = drivers ?? max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)
            self.redis = redis
        }
    }

    /// A Redis target: the client to send through, and the prefix every key of the test starts with.
    public struct RedisOptions: Sendable {
        public var client: any RedisClient
        public var keyPrefix: String

        public init(client: any RedisClient, keyPrefix: String) {
            self.client = client
            self.keyPrefix = keyPrefix
        }
    }

    /// Runs a load test to the schedule's end, until `onStep` returns false after a step, or until
    /// `shouldStop` returns true (polled every 100 ms).
    public static func run(
        _ scenario: Scenario, options: Options, onStep: @escaping @Sendable (LoadTest.MeasuredStep) -> Bool,
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
    let queues: LoadQueues
    let target: any LoadTarget
    /// A router before any message: each driver and shard starts from a copy of it.
    let router: Router
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
        let queues = LoadQueues(drivers: options.drivers, shards: options.shards, population: population, clock: clock)
        let router = Router(
            scenario: scenario, settings: settings, population: population, end: clock.schedule.simulatedEnd)
        let commands = options.redis.flatMap {
            RedisCommands(settings: settings, population: population, keyPrefix: $0.keyPrefix)
        }
        shards = (0..<options.shards).map { index in
            CoreShard(
                server: PresenceServer(settings: settings, population: population), router: router,
                host: LoadHost(queues: queues, shard: index), commands: commands)
        }
        target = options.redis.map { RedisLoadTarget(client: $0.client) } ?? InProcessTarget()
        self.queues = queues
        self.router = router
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }

    var drivers: [LoadDriver] { queues.drivers }

    /// Places the opening events: every client starts, the shards' own timers, the faults.
    func seed() async {
        for client in 0..<population.clientCount {
            queues.driver(of: ClientID(client)).schedule(.client(ClientID(client), .start), at: .zero)
        }
        for shard in shards { await shard.start() }
        guard faults else { return }
        var host = LoadHost(queues: queues, shard: nil)
        router.scheduleFaults(scenario.faults, host: &host)
    }

    /// How a test ended: the last step that ran (whole, unless interrupted), whether it was interrupted, and
    /// why the target stopped it, if it did.
    struct Ending: Sendable {
        var lastStep: Int
        var interrupted: Bool
        var stopReason: String? = nil
    }

    /// Watches the steps go by: hands each finished step to `onStep`, stops the test when it says so,
    /// when `shouldStop` says so, or at the schedule's end.
    func control(onStep: @Sendable (LoadTest.MeasuredStep) -> Bool, shouldStop: @Sendable () -> Bool) async -> Ending {
        defer { stop() }
        let schedule = clock.schedule
        for (index, step) in schedule.steps.enumerated() {
            while clock.wallNow() < step.wallEnd {
                if shouldStop() { return Ending(lastStep: index, interrupted: true) }
                if let reason = target.stopReason {
                    return Ending(lastStep: index, interrupted: true, stopReason: reason)
                }
                let remaining = step.wallEnd - clock.wallNow()
                try? await Task.sleep(for: .nanoseconds(max(1_000_000, min(remaining, 100_000_000))))
            }
            if !onStep(await measuredStep(index)) { return Ending(lastStep: index, interrupted: false) }
        }
        return Ending(lastStep: schedule.steps.count - 1, interrupted: false)
    }

    /// Step `index` as the drivers measured it so far.
    func measuredStep(_ index: Int) async -> LoadTest.MeasuredStep {
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
        return LoadTest.MeasuredStep(
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
        var steps: [LoadTest.MeasuredStep] = []
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
            complete: !ending.interrupted, stopReason: ending.stopReason, errors: target.errors)
    }
}

/// Where due work goes in a load test: each client's events go to the driver that owns the client, each
/// shard's own inputs to the driver that owns the shard, and rooms hash over the shards.
final class LoadQueues: Sendable {
    let drivers: [LoadDriver]
    let shardCount: Int
    let population: Population
    let clock: LoadClock

    init(drivers: Int, shards: Int, population: Population, clock: LoadClock) {
        self.drivers = (0..<drivers).map { LoadDriver(index: $0) }
        shardCount = shards
        self.population = population
        self.clock = clock
    }

    /// The shard of the client's room (a population with several rooms per client runs on one shard).
    func shard(of client: ClientID) -> Int {
        shardCount == 1 ? 0 : (population.rooms(of: client).first?.index ?? 0) % shardCount
    }
    func driver(of client: ClientID) -> LoadDriver { drivers[client.index % drivers.count] }
    func driver(ofShard shard: Int) -> LoadDriver { drivers[shard % drivers.count] }
}
