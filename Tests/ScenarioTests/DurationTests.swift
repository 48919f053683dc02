import PresenceCore
import Testing

@testable import Scenario

@Suite struct DurationTests {
    @Test(arguments: [
        ("1ns", Int64(1)), ("1us", 1_000), ("1ms", 1_000_000), ("1s", 1_000_000_000), ("1m", 60_000_000_000),
        ("1h", 3_600_000_000_000), ("1d", 86_400_000_000_000), ("250ms", 250_000_000), ("1.5s", 1_500_000_000),
        ("0.25m", 15_000_000_000), ("2.000s", 2_000_000_000), ("0s", 0), ("007s", 7_000_000_000),
        ("1.000000001s", 1_000_000_001), ("36500d", 3_153_600_000_000_000_000),
    ])
    func parsesEveryUnitAndDecimals(text: String, nanoseconds: Int64) {
        #expect(DurationSyntax.parse(text) == .success(Interval(nanoseconds: nanoseconds)))
    }

    @Test(arguments: [
        "", "s", "20", "20 s", "1.s", ".5s", "1e3s", "+5s", "20sec", "5 minutes", "1,5s", "20S", "0x10s", "NaN", "infs",
    ])
    func refusesMalformedText(text: String) {
        guard case .failure(.malformed) = DurationSyntax.parse(text) else {
            Issue.record("\(text) parsed as \(DurationSyntax.parse(text))")
            return
        }
    }

    @Test func refusesNegativeHugeAndSubNanosecondValues() {
        #expect(DurationSyntax.parse("-5s") == .failure(.negative(.seconds(5))))
        #expect(DurationSyntax.parse("36501d") == .failure(.tooLarge))
        #expect(DurationSyntax.parse("99999999999999999999999h") == .failure(.tooLarge))
        #expect(DurationSyntax.parse("1e300s") != .failure(.tooLarge))  // malformed, not a number with a unit
        #expect(DurationSyntax.parse("1.5ns") == .failure(.finerThanNanosecond))
        #expect(DurationSyntax.parse("0.00000000000000000000001s") == .failure(.finerThanNanosecond))
    }

    @Test func hintsForCommonMistakes() {
        #expect(
            DurationSyntax.parse("20")
                == .failure(.malformed(hint: "add a unit: \"20s\" for seconds, \"20ms\" for milliseconds")))
        #expect(
            DurationSyntax.parse("20sec")
                == .failure(.malformed(hint: "write \"20s\"; the units are ns, us, ms, s, m, h, d")))
        #expect(DurationSyntax.parse("20 s") == .failure(.malformed(hint: "write it without spaces: \"20s\"")))
        #expect(
            DurationSyntax.parse("5µs")
                == .failure(.malformed(hint: "write \"5us\"; the units are ns, us, ms, s, m, h, d")))
    }

    @Test(arguments: [
        ("1h30m", Int64(5_400_000_000_000)), ("2m30s", 150_000_000_000), ("1d12h", 129_600_000_000_000),
        ("1m0.5s", 60_500_000_000), ("1s500ms", 1_500_000_000), ("1h0m1s", 3_601_000_000_000),
        ("1d1h1m1s1ms1us1ns", 90_061_001_001_001), ("36499d24h", 3_153_600_000_000_000_000),
    ])
    func parsesCompoundDurations(text: String, nanoseconds: Int64) {
        #expect(DurationSyntax.parse(text) == .success(Interval(nanoseconds: nanoseconds)))
    }

    @Test func compoundErrorsSayWhatToWrite() {
        let order = DurationSyntax.Failure.malformed(
            hint: #"write each unit once, the larger ones first, like "1h30m" or "2m30s""#)
        #expect(DurationSyntax.parse("30m1h") == .failure(order))
        #expect(DurationSyntax.parse("1m1m") == .failure(order))
        #expect(DurationSyntax.parse("1s1m") == .failure(order))
        #expect(
            DurationSyntax.parse("1.5h30m")
                == .failure(.malformed(hint: #"only the last part may have decimals, like "1h30.5m""#)))
        #expect(
            DurationSyntax.parse("1h30")
                == .failure(.malformed(hint: #"add a unit after 30: "30m"; the units are ns, us, ms, s, m, h, d"#)))
        #expect(
            DurationSyntax.parse("2m30")
                == .failure(.malformed(hint: #"add a unit after 30: "30s"; the units are ns, us, ms, s, m, h, d"#)))
        #expect(
            DurationSyntax.parse("1h-30m")
                == .failure(.malformed(hint: "a sign may only come first, before the whole duration")))
        #expect(
            DurationSyntax.parse("1h30min")
                == .failure(.malformed(hint: #"write "30m"; the units are ns, us, ms, s, m, h, d"#)))
        #expect(DurationSyntax.parse("1h 30m") == .failure(.malformed(hint: #"write it without spaces: "1h30m""#)))
        #expect(DurationSyntax.parse("-1h30m") == .failure(.negative(.seconds(5400))))
        #expect(DurationSyntax.parse("36500d1ns") == .failure(.tooLarge))
        #expect(DurationSyntax.parse("1s0.5ns") == .failure(.finerThanNanosecond))
        for text in ["1h30m.", "1hh", "h30m", "1h30m5", "1h+30m", "1h,30m"] {
            guard case .failure(.malformed) = DurationSyntax.parse(text) else {
                Issue.record("\(text) parsed as \(DurationSyntax.parse(text))")
                continue
            }
        }
    }

    @Test func compoundDurationsThroughTheLoader() throws {
        let scenario = try load(
            minimalScenario.with("duration", "1h30m").with("warmup", "2m30s").with("protocol.heartbeat", "1m30s")
                .with("thresholds", ["staleness.offlineDetection.p99": "< 1m30s"]))
        #expect(scenario.duration == .seconds(5400))
        #expect(scenario.warmup == .seconds(150))
        #expect(scenario.thresholds.first?.value == 90)
        expectError(
            minimalScenario.with("duration", "30m1h"), at: "duration", #"found "30m1h""#, hint: "the larger ones first")
        expectError(
            minimalScenario.with("protocol.heartbeat", "1h30"), at: "protocol.heartbeat", #"found "1h30""#,
            hint: #""30m""#)
    }

    @Test func multiples() {
        #expect(DurationSyntax.multiply(.seconds(20), by: "3") == .success(.seconds(60)))
        #expect(DurationSyntax.multiply(.seconds(20), by: "2.5") == .success(.seconds(50)))
        #expect(DurationSyntax.multiply(Interval(nanoseconds: 3), by: "0.5") == .success(Interval(nanoseconds: 2)))
        #expect(
            DurationSyntax.multiply(.seconds(1), by: "0.3333333333333333333333")
                == .success(Interval(nanoseconds: 333_333_333)))
        #expect(DurationSyntax.multiply(.hours(24 * 36500), by: "2") == .failure(.tooLarge))
    }

    @Test func intervalDescriptionParsesBack() {
        for nanoseconds: Int64 in [1, 999, 1_500_000_000, 90_000_000_000, 86_400_000_000_000, 1_234_567_891] {
            let interval = Interval(nanoseconds: nanoseconds)
            #expect(DurationSyntax.parse(interval.description) == .success(interval))
        }
    }

    // MARK: - Through the loader: path, expectation and what was found

    @Test func bareNumberSuggestsTheUnit() {
        let error = expectError(
            minimalScenario.with("protocol.heartbeat", 20), at: "protocol.heartbeat",
            #"expected a duration with a unit like "20s" or "250ms", found the number 20"#)
        #expect(error?.hint == #"durations are strings with a unit: write "20s" for 20 seconds"#)
        #expect(
            error?.description == """
                test.json: protocol.heartbeat: expected a duration with a unit like "20s" or "250ms", found the number 20
                  hint: durations are strings with a unit: write "20s" for 20 seconds
                """)
    }

    @Test func durationErrorsThroughTheLoader() {
        expectError(minimalScenario.with("duration", "-1h"), at: "duration", #"greater than 0, found "-1h""#)
        expectError(minimalScenario.with("duration", "0s"), at: "duration", #"greater than 0, found "0s""#)
        expectError(minimalScenario.with("warmup", "-1m"), at: "warmup", #"of at least 0s, found "-1m""#)
        expectError(minimalScenario.with("duration", "1e3h"), at: "duration", "expected a duration with a unit")
        expectError(minimalScenario.with("duration", "100000d"), at: "duration", "at most \"36500d\"")
        expectError(minimalScenario.with("duration", "2 hours"), at: "duration", "found \"2 hours\"", hint: "\"2h\"")
        expectError(minimalScenario.with("duration", "2hours"), at: "duration", "found \"2hours\"", hint: "\"2h\"")
        expectError(
            minimalScenario.with("protocol.batch", "0.5ns"), at: "protocol.batch", "whole number of nanoseconds")
        expectError(minimalScenario.with("duration", true), at: "duration", "found true")
        expectError(minimalScenario.with("duration", ["1h"]), at: "duration", "found an array of 1")
        expectError(minimalScenario.settingNull("duration"), at: "duration", "found null", hint: "leave the key out")
        expectError(
            minimalScenario.with("protocol.userPoll", "0s"), at: "protocol.userPoll", "greater than 0", hint: "\"off\"")
        expectError(minimalScenario.with("protocol.away", "OFF"), at: "protocol.away", #"or "never", found "OFF""#)
        expectError(
            minimalScenario.with("protocol.expiry", "Exact"), at: "protocol.expiry", "found \"Exact\"",
            hint: "lower case")
    }

    @Test func zeroIsAllowedOnlyWhereItMeansOff() throws {
        let scenario = try load(
            minimalScenario.with("warmup", "0s").with("protocol.leaveGrace", "0ms").with("protocol.batch", "0s")
                .with("protocol.typingThrottle", "0s").with("protocol.pingTimeout", "0s"))
        #expect(scenario.warmup == .zero)
        for key in ["heartbeat", "ttl", "typingStop", "expiry", "delivery", "typingPoll", "pingInterval", "typingTTL"] {
            expectError(minimalScenario.with("protocol." + key, "0s"), at: "protocol." + key, "greater than 0")
        }
        expectError(minimalScenario.with("timeline", "0s"), at: "timeline", "greater than 0")
    }
}
