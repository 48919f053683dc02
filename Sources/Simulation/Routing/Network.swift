import PresenceCore
import Scenario

/// The network between the server and one client, both directions, in one record per client.
///
/// Each direction draws its latency and its losses from streams of its own, derived from (seed, client,
/// purpose): changing the loss rate or the latency distribution never changes what the client's behaviour
/// model draws, nor the other direction's draws. On a socket the record also keeps the last arrival per
/// direction, because a TCP stream never delivers a message before the one sent ahead of it.
struct ClientLink: Sendable {
    var up: Direction
    var down: Direction
    /// The client's socket the network can currently carry a ping to.
    var socket: ConnectionID?

    init(seed: UInt64, client: Int) {
        up = Direction(seed: seed, client: client, latency: .uplink, loss: .uplinkLoss)
        down = Direction(seed: seed, client: client, latency: .downlink, loss: .downlinkLoss)
    }

    /// One direction of the link.
    struct Direction: Sendable {
        private var latency: RandomStream
        private var loss: RandomStream
        /// When the direction's last socket message arrives.
        private var lastArrival = Instant.zero

        init(seed: UInt64, client: Int, latency: RandomStream.Purpose, loss: RandomStream.Purpose) {
            self.latency = RandomStream(seed: seed, stream: UInt64(client), purpose: latency)
            self.loss = RandomStream(seed: seed, stream: UInt64(client), purpose: loss)
        }

        /// When a message sent at `now` arrives, or nil when the network loses it.
        ///
        /// Latency is drawn from `network.latency` and multiplied by the latency-spike factor in force. HTTP
        /// requests, beacons and answers are lost with the loss probability; on a socket TCP retransmits a
        /// lost packet instead, after a retransmission timeout that starts at Linux's 200 ms minimum and
        /// doubles per loss, and a message never overtakes the one sent before it.
        mutating func arrival(sentAt now: Instant, network: NetworkConditions) -> Instant? {
            var seconds = (network.latency.sample(&latency) ?? .zero).seconds * network.latencyFactor(at: now)
            if network.loss > 0 {
                if !network.isSocket {
                    if loss.chance(network.loss) { return nil }
                } else {
                    var timeout = minimumRetransmissionTimeout
                    while loss.chance(network.loss) && timeout < 120 {
                        seconds += timeout
                        timeout *= 2
                    }
                }
            }
            var arrival = now + Interval(seconds: seconds)
            if network.isSocket {
                arrival = max(arrival, lastArrival)
                lastArrival = arrival
            }
            return arrival
        }
    }
}

/// What the network is like for a group of clients: its latency and loss, the transport, and the
/// scenario's latency spikes.
struct NetworkConditions: Sendable {
    let latency: Distribution
    let loss: Double
    /// Whether clients talk over a socket (designs A and C) rather than HTTP requests (design B).
    let isSocket: Bool
    /// Latency-spike windows, by start.
    private let latencySpikes: [(start: Instant, end: Instant, factor: Double)]

    /// The conditions of `network` (the scenario's, or a cohort's) in `scenario`.
    init(network: Network, scenario: Scenario) {
        latency = network.latency
        loss = network.loss
        isSocket = scenario.presence.design != .httpPolling
        latencySpikes = scenario.faults.compactMap { fault in
            guard case .latencySpike(let factor, let duration) = fault.kind else { return nil }
            let start = Instant.zero + fault.at
            return (start, start + duration, factor)
        }
    }

    /// The factor latency draws are multiplied by at `now` (overlapping spikes multiply).
    func latencyFactor(at now: Instant) -> Double {
        var factor = 1.0
        for spike in latencySpikes where spike.start <= now && now < spike.end { factor *= spike.factor }
        return factor
    }
}

/// Linux's minimum TCP retransmission timeout, in seconds.
let minimumRetransmissionTimeout = 0.2
