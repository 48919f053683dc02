import Foundation
import PresenceCore
import Scenario
import Simulation
import Testing

/// The simulator against the closed forms of DOMAIN.md. Tolerances are four standard errors of the
/// estimate at the sample sizes these runs produce, plus the histograms' 0.1% resolution, so a correct
/// simulator fails one of them by chance far less than once in ten thousand runs — and since runs are
/// deterministic, it either always passes or always fails.
@Suite struct ClosedFormTests {
    /// Vanish-only clients, push on exact expiry, zero latency: the store notices a departure when the
    /// entry written by the last heartbeat expires, ttl − U(0, h) after the departure — uniform on
    /// (ttl − h, ttl]. Observers are pushed the expiry at once.
    @Test func vanishDetectionIsUniformBetweenTTLMinusHeartbeatAndTTL() throws {
        let run = Simulator.run(
            try scenario(
                """
                {"name": "vanish", "seed": 1, "duration": "6h", "warmup": "10m", "clients": 600,
                 "rooms": {"size": 4},
                 "protocol": {"design": "ttl-entries", "heartbeat": "10s", "ttl": "25s"},
                 "behavior": {"online": {"exponential": "20m"}, "offline": {"exponential": "10m"},
                              "graceful": 0, "vanish": 1}}
                """), engine: .events)
        let store = run.measurements.store.offlineDetection.summary
        let observers = run.measurements.observers.offlineDetection.summary
        // Uniform on (15, 25]: mean 20, sd 2.89; p90 at 24 with sd sqrt(0.09/n)/0.1 per unit width.
        #expect(store.count > 5_000)
        let standardError = 2.89 / Double(store.count).squareRoot()
        expectClose(store.mean, 20, tolerance: 4 * standardError + 0.02, "store detection mean")
        expectClose(store.p90, 24, tolerance: 4 * 10 * (0.09 / Double(store.count)).squareRoot() + 0.03, "store p90")
        #expect(store.max <= 25.03)
        #expect(store.p50 > 15)
        expectClose(observers.mean, 20, tolerance: 4 * 2.89 / Double(observers.count).squareRoot() + 0.02, "observers")
        #expect(
            run.measurements.observers.offlineDetectionByCause[Int(DepartureCause.vanish.rawValue)].count
                == observers.count)
    }

    /// A receipt-refreshed TTL key with heartbeat period h, TTL d, independent loss p and constant
    /// delay (Chen, Toueg & Aguilera 2002): K = ceil(d/h) − 1, λ_M = (1−p) p^K / h,
    /// E(T_M) = (K+1)h − d + h p/(1−p), P_A = 1 − λ_M E(T_M). For h = 20 s, d = 45 s, p = 5%:
    /// λ_M = 1.1875e-4/s (0.4275 per client-hour), E(T_M) = 16.05 s, P_A = 0.99809.
    @Test func falseOfflineRateDurationAndAccuracyMatchTheClosedForm() throws {
        let run = Simulator.run(
            try scenario(
                """
                {"name": "loss", "seed": 2, "duration": "8h", "warmup": "5m", "clients": 1000,
                 "rooms": {"size": 1},
                 "protocol": {"design": "http-polling", "heartbeat": "20s", "ttl": "45s",
                              "delivery": "1h", "userPoll": "off", "typingPoll": "off"},
                 "network": {"latency": {"constant": "50ms"}, "loss": 0.05}}
                """), engine: .events)
        // The closed form is about the key itself: design B's room read also needs the room set, which
        // expires 10 × TTL after the room's last join (StoreReadPathTests).
        let store = run.measurements.storeKey
        let h = 20.0
        let d = 45.0
        let p = 0.05
        let k = (d / h).rounded(.up) - 1
        let rate = (1 - p) * pow(p, k) / h * 3600
        let meanDuration = (k + 1) * h - d + h * p / (1 - p)
        let accuracy = 1 - rate / 3600 * meanDuration
        // About 3,400 mistakes: the rate's relative standard error is 1/sqrt(n).
        #expect(store.mistakes > 3_000)
        let relativeError = 1 / Double(store.mistakes).squareRoot()
        expectClose(store.mistakesPerClientHour, rate, tolerance: 4 * relativeError * rate, "λ_M per client-hour")
        // T_M = (K+1)h − d + h·G, G geometric with variance p/(1−p)²: sd 4.7 s.
        let durationError = h * p.squareRoot() / (1 - p) / Double(store.mistakes).squareRoot()
        expectClose(store.mistakeDuration.summary.mean, meanDuration, tolerance: 4 * durationError + 0.02, "E(T_M)")
        expectClose(
            1 - store.queryAccuracy, 1 - accuracy, tolerance: 4 * 1.3 * relativeError * (1 - accuracy), "1 − P_A")
    }

    /// Always-online clients send clients / h heartbeats per second, and a typing change reaches every
    /// other member of the room.
    @Test func heartbeatRateAndFanoutMatchThePopulation() throws {
        let run = Simulator.run(
            try scenario(
                """
                {"name": "steady", "seed": 3, "duration": "30m", "warmup": "5m", "clients": 1000,
                 "rooms": {"size": 5},
                 "protocol": {"design": "socketio-redis", "heartbeat": "20s", "ttl": "60s"},
                 "behavior": {"typing": {"burstsPerHour": 2, "burst": {"constant": "3s"}, "keystroke": "1s"}}}
                """), engine: .events)
        let m = run.measurements
        // 25 minutes measured: each client sends 75 heartbeats, give or take one at the window's edges.
        expectClose(
            Double(m.heartbeats) / m.measuredSeconds, 1000.0 / 20, tolerance: 1000.0 / m.measuredSeconds, "heartbeats/s"
        )
        let perEvent = m.recipientsPerEvent.summary
        #expect(m.fanoutEvents > 1_000)
        #expect(perEvent.mean == 4 && perEvent.max == 4)
    }

    /// Design B: a clean leave writes "offline" at once, so the store knows immediately; observers
    /// learn at their next room poll, half a poll interval later on average.
    @Test func pollingObserversLagTheStoreByHalfAPollInterval() throws {
        let run = Simulator.run(
            try scenario(
                """
                {"name": "polls", "seed": 4, "duration": "4h", "warmup": "10m", "clients": 800,
                 "rooms": {"size": 4},
                 "protocol": {"design": "http-polling", "delivery": "10s", "userPoll": "off", "typingPoll": "off"},
                 "behavior": {"online": {"exponential": "15m"}, "offline": {"exponential": "15m"}, "graceful": 1}}
                """), engine: .events)
        let store = run.measurements.store.offlineDetection.summary
        let observers = run.measurements.observers.offlineDetection.summary
        #expect(observers.count > 5_000)
        #expect(store.max == 0)
        // U(0, 10 s): mean 5, sd 2.89.
        expectClose(
            observers.mean - store.mean, 5, tolerance: 4 * 2.89 / Double(observers.count).squareRoot() + 0.02, "lag")
    }
}
