import Foundation
import PresenceCore
import Scenario
import Testing

@testable import Simulation

/// `behavior.profile`: the share of clients online follows the curve where spells can keep up with it,
/// and lags by the spells' decay where the curve falls faster.
@Suite struct ProfileTests {
    static let clients = 4_000

    /// A population of `clients` with exponential spells of `spell`, the profile `points`, and a cheap
    /// protocol (the test is about arrivals and departures).
    func profiled(_ points: String, spell: String = "30m", duration: String = "24h", repeatEvery: String? = nil)
        throws -> Scenario
    {
        let repetition = repeatEvery.map { ", \"repeat\": \"\($0)\"" } ?? ""
        return try scenario(
            """
            {"name": "profile", "seed": 5, "duration": "\(duration)", "clients": \(Self.clients), "rooms": {"size": 1},
             "timeline": "5m",
             "protocol": {"design": "ttl-entries", "heartbeat": "10m", "ttl": "30m", "pingInterval": "off"},
             "behavior": {"online": {"exponential": "\(spell)"},
                          "profile": {"points": \(points)\(repetition)}}}
            """)
    }

    /// The share truly online at each timeline sample, by seconds from the start.
    func realisedShares(_ scenario: Scenario) -> [Double: Double] {
        let outcome = Simulator.run(scenario, engine: .events)
        var shares: [Double: Double] = [:]
        for point in outcome.measurements.timeline {
            shares[Double(point.at.nanoseconds) / 1e9] = Double(point.online) / Double(scenario.clients)
        }
        return shares
    }

    /// Four binomial standard deviations of a share `p` of the population.
    func tolerance(_ p: Double) -> Double { 4 * (p * (1 - p) / Double(Self.clients)).squareRoot() }

    /// Where the curve never falls faster than spells end (p' ≥ −p/m), the expected share online equals
    /// the curve: with exponential spells, dp/dt = λ(1 − p) − p/m holds exactly. Each sample is a
    /// binomial draw of the clients' independent states, so it lies within 4 sd of the curve.
    @Test func theShareOnlineFollowsARisingAndGentlyFallingCurve() throws {
        // Falls 0.8 → 0.2 over 3 h: slope −0.2/h, while spells end at p/m ≥ 0.4/h.
        let points = #"[["0h", 0.1], ["9h", 0.8], ["12h", 0.8], ["15h", 0.2], ["24h", 0.1]]"#
        let scenario = try profiled(points)
        let profile = try #require(scenario.behavior.profile)
        let shares = realisedShares(scenario)
        var worst = 0.0
        for hour in [1, 3, 6, 9, 10, 12, 13, 15, 18, 21, 24] {
            let seconds = Double(hour * 3600)
            let expected = profile.share(at: .hours(Int64(hour)))
            let realised = try #require(shares[seconds])
            worst = max(worst, abs(realised - expected) / tolerance(expected))
            expectClose(realised, expected, tolerance: tolerance(expected), "share online at \(hour)h")
        }
        #expect(worst < 4)
    }

    /// A curve that falls faster than spells end cannot be followed: nobody's spell is cut short and
    /// nobody arrives (λ clamps at 0), so the share decays as p₀·e^(−t/m) for as long as the curve falls
    /// that fast. Afterwards arrivals resume at the curve's rate, dp/dt = λ(1 − p) − p/m with λ for the
    /// curve's share q, and the excess over the curve fades as e^(−t/(m(1 − q))). From 0.8 to 0.1 within
    /// 10 minutes with 30-minute spells: 0.8·e^(−1/3) ≈ 0.573 when the curve reaches 0.1, then an excess
    /// of 0.473 fading with a time constant of 27 minutes, under 0.01 after 104 more minutes.
    @Test func aCliffLagsByTheSpellsDecay() throws {
        let points = #"[["0h", 0.8], ["2h", 0.8], ["2h10m", 0.1], ["6h", 0.1]]"#
        let scenario = try profiled(points, duration: "6h")
        let shares = realisedShares(scenario)
        let start = 2.0 * 3600
        let atCurveEnd = 0.8 * exp(-10.0 / 30)
        func expected(_ minutes: Double) -> Double {
            minutes <= 10 ? 0.8 * exp(-minutes / 30) : 0.1 + (atCurveEnd - 0.1) * exp(-(minutes - 10) / (30 * 0.9))
        }
        for minutes in [5.0, 10, 20, 30, 45, 60, 90, 120, 180] {
            let realised = try #require(shares[start + minutes * 60])
            let share = expected(minutes)
            expectClose(realised, share, tolerance: tolerance(share), "share \(Int(minutes))m into the cliff")
        }
    }

    /// A repeating profile starts over: the second day's samples match the first day's curve.
    @Test func aRepeatingProfileStartsOver() throws {
        let points = #"[["0h", 0.2], ["6h", 0.7], ["12h", 0.2]]"#
        let scenario = try profiled(points, duration: "24h", repeatEvery: "12h")
        let profile = try #require(scenario.behavior.profile)
        let shares = realisedShares(scenario)
        for hour in [15, 18, 21, 24] {
            let expected = profile.share(at: .hours(Int64(hour)))
            let realised = try #require(shares[Double(hour * 3600)])
            expectClose(realised, expected, tolerance: tolerance(expected), "share online at \(hour)h")
        }
    }

    /// The tabulated arrival process inverts its own integral: for a constant share p with spells of
    /// mean m the rate is p/(m(1 − p)), so the mean gap to the next arrival is m(1 − p)/p.
    @Test func aConstantCurveGivesExponentialGaps() throws {
        let profile = Profile(points: [Profile.Point(at: .zero, share: 0.25)], period: .hours(1))
        let curve = ArrivalCurve(profile, spell: .exponential(mean: .minutes(30)))
        var random = RandomStream(seed: 3, stream: 0, purpose: .behavior)
        var total = 0.0
        let draws = 20_000
        for _ in 0..<draws {
            total += try #require(curve.nextGap(after: .zero + .minutes(7), &random)).seconds
        }
        let mean = 1800 * 0.75 / 0.25
        // The gaps are exponential: the sample mean's sd is mean/√n.
        expectClose(total / Double(draws), mean, tolerance: 4 * mean / Double(draws).squareRoot(), "mean gap")
        // A share of 0 never brings anyone back; a curve that only rises brings clients whose spells
        // never end back exactly as fast as it rises.
        let empty = ArrivalCurve(Profile(points: [Profile.Point(at: .zero, share: 0)]), spell: .never)
        #expect(empty.arrival(after: 0, draw: 1) == nil)
        let ramp = ArrivalCurve(
            Profile(points: [Profile.Point(at: .zero, share: 0), Profile.Point(at: .hours(1), share: 1)]),
            spell: .never)
        // λ = p'/(1 − p) integrates to −ln(1 − p): the draw E arrives where 1 − p = e^(−E).
        let arrival = try #require(ramp.arrival(after: 0, draw: log(2)))
        expectClose(arrival, 1800, tolerance: 1, "arrival of the median client on a ramp")
    }

    /// Changing the protocol does not change what users do: the same arrivals with a different heartbeat.
    @Test func arrivalsAreCommonRandomNumbers() throws {
        let points = #"[["0h", 0.3], ["1h", 0.6]]"#
        let base = try profiled(points, duration: "1h")
        var faster = base
        faster.presence.heartbeat = .minutes(1)
        let onlineA = Simulator.run(base, engine: .events).measurements.timeline.map(\.online)
        let onlineB = Simulator.run(faster, engine: .events).measurements.timeline.map(\.online)
        #expect(onlineA == onlineB)
    }
}
