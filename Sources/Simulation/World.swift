import PresenceCore
import Scenario

/// The immutable settings every model reads: the scenario's protocol, behaviour, network and faults,
/// and each client's cohort.
///
/// A class so that a million client models share one copy; immutable, so sharing it across the actors
/// engine's actors is safe.
public final class ModelSettings: Sendable {
    public let seed: UInt64
    public let presence: PresenceProtocol
    /// The scenario's top-level behaviour: every client's without cohorts, the cohorts' base with them.
    /// A model reads ``behavior(of:)``.
    public let behavior: Behavior
    /// The scenario's top-level network; a model reads ``network(of:)``.
    public let network: Network
    /// The faults, in the scenario's order (the router places them).
    public let faults: [Fault]
    /// The scenario's cohorts, in file order; empty when it has none.
    public let cohorts: [Cohort]
    /// Each client's index into ``cohorts``, by client index; empty when the scenario has no cohorts.
    ///
    /// Drawn per client from its own `cohort` stream: client `i` is in the first cohort whose
    /// cumulative share exceeds a uniform draw, so adding clients never moves another client.
    public let cohortOf: [UInt8]
    /// The behaviour, network and arrival curve of each cohort (one entry, the top level's, without
    /// cohorts), by ``groupIndex(of:)``.
    private let behaviors: [Behavior]
    private let networks: [Network]
    private let arrivalCurves: [ArrivalCurve?]

    public init(scenario: Scenario) {
        seed = scenario.seed
        presence = scenario.presence
        behavior = scenario.behavior
        network = scenario.network
        faults = scenario.faults
        cohorts = scenario.cohorts
        cohortOf = Self.assignCohorts(scenario.cohorts, clients: scenario.clients, seed: scenario.seed)
        behaviors = scenario.cohorts.isEmpty ? [scenario.behavior] : scenario.cohorts.map(\.behavior)
        networks = scenario.cohorts.isEmpty ? [scenario.network] : scenario.cohorts.map(\.network)
        arrivalCurves = behaviors.map { behavior in behavior.profile.map { ArrivalCurve($0, spell: behavior.online) } }
    }

    /// The cohort of each of `clients` clients: a draw per client on its own stream, none without cohorts.
    static func assignCohorts(_ cohorts: [Cohort], clients: Int, seed: UInt64) -> [UInt8] {
        guard cohorts.count > 1 else { return cohorts.isEmpty ? [] : Array(repeating: 0, count: clients) }
        var bounds: [Double] = []
        var total = 0.0
        for cohort in cohorts {
            total += cohort.share
            bounds.append(total)
        }
        bounds[bounds.count - 1] = .infinity  // Shares sum to 1 within rounding: the last cohort takes the rest.
        return (0..<clients).map { client in
            var random = RandomStream(seed: seed, stream: UInt64(client), purpose: .cohort)
            let draw = random.unit()
            return UInt8(bounds.firstIndex { draw < $0 } ?? cohorts.count - 1)
        }
    }

    /// The client's index into ``cohorts``, or nil when the scenario has no cohorts.
    @inlinable public func cohortIndex(of client: ClientID) -> Int? {
        cohortOf.isEmpty ? nil : Int(cohortOf[client.index])
    }

    /// The client's cohort, or nil when the scenario has no cohorts.
    public func cohort(of client: ClientID) -> Cohort? { cohortIndex(of: client).map { cohorts[$0] } }

    /// The index of the client's behaviour and network: its cohort's, or 0 without cohorts.
    @inlinable func groupIndex(of client: ClientID) -> Int { cohortOf.isEmpty ? 0 : Int(cohortOf[client.index]) }

    /// What the client does: its cohort's behaviour, or the scenario's.
    public func behavior(of client: ClientID) -> Behavior { behaviors[groupIndex(of: client)] }

    /// The client's network: its cohort's, or the scenario's.
    public func network(of client: ClientID) -> Network { networks[groupIndex(of: client)] }

    /// The arrival curve of the client's behaviour, when it has a profile.
    func arrivalCurve(of client: ClientID) -> ArrivalCurve? { arrivalCurves[groupIndex(of: client)] }

    /// The networks by ``groupIndex(of:)``: the cohorts', or the scenario's alone.
    var groupNetworks: [Network] { networks }
}
