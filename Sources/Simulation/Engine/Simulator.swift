import PresenceCore
import Scenario

/// The two engines. Both run the same models over the same event queue and give the same results.
public enum EngineKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Every client is a Swift actor, the server another; all run on one virtual-time executor.
    case actors
    /// A plain discrete-event loop over an array of client models: for a million clients and for sweeps.
    case events

    public var description: String { rawValue }
}

/// How far a run has come, for progress displays.
public struct Progress: Sendable {
    public var simulated: Instant
    public var end: Instant
    public var events: Int
}

/// The result of one run.
public struct RunOutcome: Sendable {
    public var engine: EngineKind
    public var measurements: Measurements
    /// Events the engine processed.
    public var events: Int
    public var simulated: Instant
    /// The clients on each platform: desktop, iOS, Android.
    public var platformCounts: [Platform: Int]
    /// Who was in which room.
    public var population: PopulationSummary
    /// Each cohort's figures, in the scenario's order (empty without cohorts).
    public var cohorts: [Measurements]
    /// Whether the run reached the scenario's end (false when it was stopped).
    public var complete: Bool
}

/// Runs scenarios.
public enum Simulator {
    /// How often (in events) a run reports progress and checks whether it should stop.
    static let checkInterval = 1 << 16

    /// Runs `scenario` to its end (or until `shouldStop` returns true) on the chosen engine.
    ///
    /// - Parameters:
    ///   - progress: called on the running thread every 65,536 events.
    ///   - shouldStop: polled as often; returning true ends the run early with what was measured.
    public static func run(
        _ scenario: Scenario, engine: EngineKind, progress: (@Sendable (Progress) -> Void)? = nil,
        shouldStop: (@Sendable () -> Bool)? = nil
    ) -> RunOutcome {
        let settings = ModelSettings(scenario: scenario)
        let population = Population(scenario: scenario)
        var clients = (0..<population.clientCount).map { clientModel($0, settings: settings, population: population) }
        let platforms = clients.map(\.platform)
        var core = SimulationCore(scenario: scenario, settings: settings, population: population, platforms: platforms)
        var server = PresenceServer(settings: settings, population: population)
        var serverEffects: [ServerEffect] = []
        server.start(now: .zero, into: &serverEffects)
        core.apply(serverEffects, of: nil)
        core.begin()

        let watcher = RunWatcher(progress: progress, shouldStop: shouldStop)
        let stopped: Bool
        switch engine {
        case .events:
            stopped = EventsEngine.run(&core, clients: &clients, server: &server, watcher: watcher)
        case .actors:
            stopped = ActorsEngine.run(&core, clients: clients, server: server, watcher: watcher)
        }
        var counts: [Platform: Int] = [:]
        for platform in platforms { counts[platform, default: 0] += 1 }
        return RunOutcome(
            engine: engine, measurements: core.recorder.measurements, events: core.processed, simulated: core.now,
            platformCounts: counts, population: PopulationSummary(population, settings: settings),
            cohorts: core.recorder.cohortMeasurements, complete: !stopped)
    }
}

extension Simulator {
    /// The behaviour model of client `index`: every engine and the load test start from the same one.
    static func clientModel(_ index: Int, settings: ModelSettings, population: Population) -> ClientModel {
        ClientModel(id: ClientID(index), population: population, settings: settings)
    }
}

/// Progress reports and stop checks, every `Simulator.checkInterval` events.
struct RunWatcher: Sendable {
    let progress: (@Sendable (Progress) -> Void)?
    let shouldStop: (@Sendable () -> Bool)?

    /// Returns true when the run should stop now.
    func check(_ core: SimulationCore) -> Bool {
        guard core.processed & (Simulator.checkInterval - 1) == 0 else { return false }
        progress?(Progress(simulated: core.now, end: core.end, events: core.processed))
        return shouldStop?() ?? false
    }
}

/// The `events` engine: the models live in arrays and each step calls one in place.
enum EventsEngine {
    /// Runs to the end; returns true if stopped early.
    static func run(
        _ core: inout SimulationCore, clients: inout [ClientModel], server: inout PresenceServer, watcher: RunWatcher
    ) -> Bool {
        var clientEffects: [ClientEffect] = []
        var serverEffects: [ServerEffect] = []
        while let step = core.next() {
            switch step {
            case .client(let client, let input, let now):
                clientEffects.removeAll(keepingCapacity: true)
                clients[client.index].handle(input, now: now, into: &clientEffects)
                core.apply(clientEffects, of: client)
            case .server(let input, let now):
                serverEffects.removeAll(keepingCapacity: true)
                server.handle(input, now: now, into: &serverEffects)
                core.apply(serverEffects, of: input)
            }
            if watcher.check(core) {
                core.stop()
                return true
            }
        }
        return false
    }
}
