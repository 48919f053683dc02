import PresenceCore
import Scenario

/// The immutable settings every model reads: the scenario's protocol, behaviour, network and faults.
///
/// A class so that a million client models share one copy; immutable, so sharing it across the actors
/// engine's actors is safe.
public final class ModelSettings: Sendable {
    public let seed: UInt64
    public let presence: PresenceProtocol
    public let behavior: Behavior
    public let network: Network
    /// The faults, in the scenario's order (the router places them).
    public let faults: [Fault]

    public init(scenario: Scenario) {
        seed = scenario.seed
        presence = scenario.presence
        behavior = scenario.behavior
        network = scenario.network
        faults = scenario.faults
    }
}
