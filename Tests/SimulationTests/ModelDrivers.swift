import PresenceCore
import Scenario
import Simulation
import Testing

// Helpers for driving the client and server models by hand, one input at a time.

/// The instant `seconds` after the start of the run.
func instant(_ seconds: Double) -> Instant { .zero + Interval(seconds: seconds) }

func cid(_ index: Int) -> ClientID { ClientID(index) }

func entry(_ index: Int, _ status: PresenceStatus) -> ViewEntry { ViewEntry(subject: ClientID(index), status: status) }

func rid(_ index: Int) -> RoomID { RoomID(index) }

/// What a client is shown of room `room`.
func view(_ room: Int, _ entries: [ViewEntry]) -> RoomView { RoomView(room: RoomID(room), entries: entries) }

/// A scenario for driving models by hand: `clients` clients in rooms of `roomSize`, a constant 50 ms
/// latency without loss (so every send's arrival is exact), the given design knobs and behaviour.
func handScenario(
    design: String, protocol knobs: String = "", behavior: String, network: String = "", clients: Int = 6,
    roomSize: Int = 3, seed: Int = 11, duration: String = "2h", sourceLocation: SourceLocation = #_sourceLocation
) throws -> Scenario {
    try scenario(
        """
        {"name": "hand", "seed": \(seed), "duration": "\(duration)", "clients": \(clients), "rooms": {"size": \(roomSize)},
         "protocol": {"design": "\(design)"\(knobs.isEmpty ? "" : ", " + knobs)},
         "behavior": \(behavior),
         "network": {"latency": {"constant": "50ms"}\(network.isEmpty ? "" : ", " + network)}}
        """, sourceLocation: sourceLocation)
}

/// One client model, driven by hand, in the rooms the scenario's population gives it (with
/// ``handScenario``'s defaults, client 0 is in room 0 with two peers).
struct ClientDriver {
    var model: ClientModel
    let population: Population
    private var started = false

    init(_ scenario: Scenario, client: Int = 0) {
        population = Population(scenario: scenario)
        model = ClientModel(id: ClientID(client), population: population, settings: ModelSettings(scenario: scenario))
    }

    /// Handles one input at `seconds` and returns exactly what it caused.
    mutating func handle(_ input: ClientInput, at seconds: Double) -> [ClientEffect] {
        if input == .start { started = true }
        var effects: [ClientEffect] = []
        model.handle(input, now: instant(seconds), into: &effects)
        return effects
    }

    mutating func fire(_ timer: ClientTimer, tag: UInt32, at seconds: Double) -> [ClientEffect] {
        handle(.timer(timer, tag: tag), at: seconds)
    }

    mutating func receive(_ message: Inbound, at seconds: Double) -> [ClientEffect] {
        handle(.message(message), at: seconds)
    }

    /// Starts the client (unless it was), brings it online at `seconds` and, for a socket design, completes the handshake
    /// for connection `connection` 100 ms later. Returns the session's heartbeat tag.
    @discardableResult
    mutating func bringOnline(
        at seconds: Double, connection: ConnectionID = 1, socket: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> UInt32 {
        if !started { _ = handle(.start, at: 0) }
        var effects = fire(.comeOnline, tag: 0, at: seconds)
        if socket { effects = receive(.connected(connection, snapshots: emptySnapshots), at: seconds + 0.1) }
        guard let tag = scheduled(.heartbeat, in: effects).first?.tag else {
            Issue.record("no heartbeat scheduled on coming online: \(effects)", sourceLocation: sourceLocation)
            return 0
        }
        return tag
    }

    /// A handshake's first paint that shows no one in any of the client's rooms.
    var emptySnapshots: [RoomView] { population.rooms(of: model.id).map { RoomView(room: $0, entries: []) } }
}

/// The timers of `timer`'s kind that `effects` schedule, in order.
func scheduled(_ timer: ClientTimer, in effects: [ClientEffect]) -> [(tag: UInt32, at: Instant)] {
    effects.compactMap {
        if case .schedule(timer, let tag, let at) = $0 { (tag, at) } else { nil }
    }
}

/// The messages `effects` send, in order.
func sends(in effects: [ClientEffect]) -> [Uplink] {
    effects.compactMap {
        if case .send(let message, _) = $0 { message } else { nil }
    }
}

/// The presence server of a scenario, driven by hand.
///
/// What the store shows of each client (`.storeView`) is taken out of the effects each
/// call returns and kept in `readView` and `keyView`, so that tests of messages and fan-out read only
/// those, and tests of the store's views read the views.
struct ServerDriver {
    var server: PresenceServer
    let population: Population
    /// The last `.storeView` of each client: its read shows it, and its key exists, until then.
    private(set) var readView: [Int: Instant] = [:]
    private(set) var keyView: [Int: Instant] = [:]

    init(_ scenario: Scenario) {
        population = Population(scenario: scenario)
        server = PresenceServer(settings: ModelSettings(scenario: scenario), population: population)
    }

    mutating func start() -> [ServerEffect] {
        var effects: [ServerEffect] = []
        server.start(now: .zero, into: &effects)
        return keepingViews(effects)
    }

    @discardableResult
    mutating func handle(_ input: ServerInput, at seconds: Double) -> [ServerEffect] {
        var effects: [ServerEffect] = []
        server.handle(input, now: instant(seconds), into: &effects)
        return keepingViews(effects)
    }

    /// `client` sends `message`, arriving at `seconds`.
    @discardableResult
    mutating func message(_ client: Int, _ message: Uplink, at seconds: Double) -> [ServerEffect] {
        handle(.message(from: ClientID(client), message), at: seconds)
    }

    /// Whether the design's read shows `client` online at `seconds`.
    func readShows(_ client: Int, at seconds: Double) -> Bool { (readView[client] ?? .zero) > instant(seconds) }

    /// Whether `client`'s key exists at `seconds`.
    func keyExists(_ client: Int, at seconds: Double) -> Bool { (keyView[client] ?? .zero) > instant(seconds) }

    private mutating func keepingViews(_ effects: [ServerEffect]) -> [ServerEffect] {
        effects.filter { effect in
            switch effect {
            case .storeView(let client, let readUntil, let keyUntil):
                readView[client.index] = readUntil
                keyView[client.index] = keyUntil
                return false
            default:
                return true
            }
        }
    }
}

/// The server of `design` with `knobs`, over always-online clients in rooms of three.
func server(_ design: String, _ knobs: String = "") throws -> ServerDriver {
    ServerDriver(
        try handScenario(design: design, protocol: knobs, behavior: #"{"online": "never", "offline": "never"}"#))
}

/// The `.deliver` effects, in order.
func deliveries(in effects: [ServerEffect]) -> [ServerEffect] {
    effects.filter {
        if case .deliver = $0 { true } else { false }
    }
}

/// The `.fanout` recipient counts, in order.
func fanouts(in effects: [ServerEffect]) -> [Int] {
    effects.compactMap {
        if case .fanout(let recipients, _, _) = $0 { recipients } else { nil }
    }
}

/// The total of the `.storeOps` effects.
func storeOps(in effects: [ServerEffect]) -> Int {
    effects.reduce(0) {
        if case .storeOps(let count, _) = $1 { $0 + count } else { $0 }
    }
}
