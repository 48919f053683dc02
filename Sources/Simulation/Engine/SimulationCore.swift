import HeapModule
import PresenceCore
import Scenario

/// Something scheduled to happen at an instant.
enum SimEvent: Sendable {
    case client(ClientID, ClientInput)
    case server(ServerInput)
    /// A transport ping to a client's socket; the network answers whether the client is there.
    case ping(ClientID, ConnectionID)
    /// A partition or surge fault begins (index into the scenario's faults).
    case clientFault(Int)
    case sample
}

/// The virtual-time event queue of a run.
typealias EventQueue = CalendarQueue<SimEvent>

/// The part of a run both engines share: the router, the event queue and the recorder. The engines
/// differ only in where the models live and how a step reaches them: the `events` engine calls them in
/// place, the `actors` engine sends them to actors.
struct SimulationCore {
    /// What the engine must hand to a model next.
    enum Step {
        case client(ClientID, ClientInput, now: Instant)
        case server(ServerInput, now: Instant)
    }

    let scenario: Scenario
    let population: Population
    private var router: Router
    private var shell: VirtualTimeShell
    private(set) var now = Instant.zero
    private(set) var processed = 0

    var recorder: Recorder { shell.recorder }
    var end: Instant { router.end }

    init(scenario: Scenario, settings: ModelSettings, population: Population, platforms: [Platform]) {
        self.scenario = scenario
        self.population = population
        router = Router(
            scenario: scenario, settings: settings, population: population, end: Instant.zero + scenario.duration)
        shell = VirtualTimeShell(
            recorder: Recorder(
                scenario: scenario, population: population, platforms: platforms, cohortOf: settings.cohortOf))
    }

    /// Schedules the run's opening: every client starts, faults and timeline samples are placed.
    mutating func begin() {
        for client in 0..<population.clientCount {
            shell.queue.schedule(.client(ClientID(client), .start), at: .zero)
        }
        router.scheduleFaults(scenario.faults, host: &shell)
        var sampleAt = Instant.zero + scenario.warmup + scenario.timeline
        while sampleAt <= end {
            shell.queue.schedule(.sample, at: sampleAt)
            sampleAt = sampleAt + scenario.timeline
        }
    }

    /// Advances to the next step that needs a model, handling the network's own events on the way.
    /// Returns nil when the run has reached its end.
    mutating func next() -> Step? {
        while let (at, event) = shell.queue.pop(through: end) {
            now = at
            processed += 1
            switch event {
            case .client(let client, let input):
                return .client(client, input, now: at)
            case .server(let input):
                return .server(input, now: at)
            case .ping(let client, let id):
                return .server(router.ping(client, id, now: at, host: &shell), now: at)
            case .clientFault(let index):
                router.clientFault(index, clients: 0..<population.clientCount, now: at, host: &shell)
            case .sample:
                shell.recorder.sample(now: at)
            }
        }
        now = end
        shell.recorder.finish(now: end)
        return nil
    }

    /// Ends the run early at the current instant, closing what was measured so far.
    mutating func stop() { shell.recorder.finish(now: now) }

    mutating func apply(_ effects: [ClientEffect], of client: ClientID) {
        router.route(effects, of: client, now: now, host: &shell)
    }

    /// Routes the server's effects of `input` (nil: the run's start); their store work counts for the cohort
    /// of the client the input is about (``ServerInput/client``), or of the client whose key it works on.
    mutating func apply(_ effects: [ServerEffect], of input: ServerInput?) {
        if let client = input?.client { shell.recorder.attribute(to: client) }
        router.route(effects, now: now, host: &shell)
        shell.recorder.attribute(to: nil)
    }
}

/// The virtual-time engines' side of the router: one event queue, and the recorder measuring everything.
private struct VirtualTimeShell: RouterHost {
    var queue = EventQueue()
    var recorder: Recorder

    mutating func uplink(_ message: Uplink, from client: ClientID, arrivesAt at: Instant) {
        queue.schedule(.server(.message(from: client, message)), at: at)
    }

    mutating func schedule(_ input: ServerInput, at: Instant) { queue.schedule(.server(input), at: at) }

    mutating func schedule(_ input: ClientInput, for client: ClientID, at: Instant) {
        queue.schedule(.client(client, input), at: at)
    }

    mutating func schedulePing(_ client: ClientID, _ id: ConnectionID, at: Instant) {
        queue.schedule(.ping(client, id), at: at)
    }

    mutating func scheduleClientFault(_ fault: Int, at: Instant) { queue.schedule(.clientFault(fault), at: at) }

    mutating func sent(_ message: Uplink, by client: ClientID, bytes: Int, now: Instant) {
        recorder.sent(message, by: client, bytes: bytes, now: now)
    }

    mutating func delivered(_ message: Inbound, to client: ClientID, bytes: Int, now: Instant) {
        recorder.countDown(bytes: bytes, to: client, now: now)
    }

    mutating func pinged(_ client: ClientID, bytesDown: Int, bytesUp: Int, now: Instant) {
        recorder.transportPing(client, bytesDown: bytesDown, bytesUp: bytesUp, now: now)
    }

    mutating func observe(_ effect: ClientEffect, of client: ClientID, now: Instant) {
        recorder.record(effect, of: client, now: now)
    }

    mutating func observe(_ effect: ServerEffect, now: Instant) { recorder.record(effect, now: now) }
}
