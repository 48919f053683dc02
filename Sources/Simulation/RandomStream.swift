import Foundation
import PresenceCore
import Scenario

/// A seeded SplitMix64 generator: one per client and purpose, derived from the scenario seed.
///
/// Streams are derived by hashing (seed, stream number, purpose), so adding a client or a purpose does
/// not change any other stream's draws. SplitMix64 is the generator swift-argument-parser's `roll`
/// example uses behind `--seed`; its 64-bit state makes a stream 8 bytes.
public struct RandomStream: RandomNumberGenerator, Sendable {
    /// What a stream is used for; each purpose of each client is independent.
    public enum Purpose: UInt64, Sendable {
        case behavior = 1
        case downlink = 2
        case population = 3
        case faults = 4
        /// A client's uplink latency, and its losses; the downlink's losses (its latency is `downlink`).
        case uplink = 5
        case uplinkLoss = 6
        case downlinkLoss = 7
        /// A client's reconnect backoff jitter.
        case reconnect = 8
        /// Which cohort a client belongs to (drawn only when the scenario has cohorts).
        case cohort = 9
        /// The server's Redis active-expiry model: where each new key falls in the cycle's scan order.
        case activeExpiry = 10
    }

    private var state: UInt64

    public init(seed: UInt64, stream: UInt64, purpose: Purpose) {
        state = Self.mix(
            Self.mix(seed ^ 0x5EED_0F_9E5E_7CE5) ^ Self.mix(stream &+ 0x9E37_79B9) ^ (purpose.rawValue << 56))
    }

    @inlinable static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `share`.
    public mutating func chance(_ share: Double) -> Bool { share >= 1 || (share > 0 && unit() < share) }

    /// An exponential draw with the given mean, in seconds.
    public mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }

    /// A standard normal draw (Box–Muller; always consumes two words, so streams stay aligned).
    public mutating func normal() -> Double {
        let u1 = 1 - unit()
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// The longest span a single draw may take: draws beyond it mean "not within any run".
let longestDraw = Interval.hours(24 * 365 * 100)

extension Distribution {
    /// One draw, or nil for `never`. Heavy tails are capped at 100 years, far past any run's end.
    func sample(_ random: inout RandomStream) -> Interval? {
        let seconds: Double
        switch self {
        case .never: return nil
        case .constant(let value): return value
        case .uniform(let low, let high):
            seconds = low.seconds + random.unit() * (high.seconds - low.seconds)
        case .exponential(let mean):
            seconds = random.exponential(mean: mean.seconds)
        case .lognormal(let median, let p99):
            let mu = log(median.seconds)
            let sigma = (log(p99.seconds) - mu) / 2.326_347_874_040_840_8
            seconds = exp(mu + sigma * random.normal())
        }
        return min(Interval(seconds: max(0, min(seconds, longestDraw.seconds))), longestDraw)
    }

    /// The mean in seconds, or nil for `never`.
    var meanSeconds: Double? {
        switch self {
        case .never: nil
        case .constant(let value): value.seconds
        case .uniform(let low, let high): (low.seconds + high.seconds) / 2
        case .exponential(let mean): mean.seconds
        case .lognormal(let median, let p99):
            {
                let sigma = (log(p99.seconds) - log(median.seconds)) / 2.326_347_874_040_840_8
                return median.seconds * exp(sigma * sigma / 2)
            }()
        }
    }
}
