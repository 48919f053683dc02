import PresenceCore
import Testing

@testable import Scenario

@Suite struct FixtureTests {
    private func loadFixture(_ name: String) throws(ScenarioErrors) -> Scenario {
        let bytes: [UInt8]
        do { bytes = try fixture(name) } catch { fatalError("missing fixture \(name)") }
        return try ScenarioLoader.load(bytes: bytes, file: name, overrides: [], physicalMemory: testMemory)
    }

    @Test func familyChatResolves() throws {
        let scenario = try loadFixture("valid/family-chat.json")
        #expect(scenario.name == "family-chat")
        #expect(scenario.description == nil)
        #expect(scenario.seed == 7)
        #expect(scenario.duration == .hours(1))
        #expect(scenario.warmup == .minutes(10))
        #expect(scenario.clients == 10_000)
        #expect(scenario.rooms.size == .uniform(2, 8))
        #expect(scenario.presence == PresenceProtocol.defaults(for: .socketioRedis))
        #expect(scenario.presence.heartbeat == .seconds(20))
        #expect(scenario.presence.ttl == .seconds(60))
        #expect(scenario.behavior.online == .lognormal(median: .minutes(20), p99: .hours(4)))
        #expect(scenario.behavior.offline == .exponential(mean: .hours(2)))
        #expect(scenario.behavior.graceful == 0.6)
        #expect(scenario.behavior.vanish == 0.5)
        #expect(
            scenario.behavior.hidden
                == Episodes(
                    every: .exponential(mean: .minutes(15)),
                    duration: .lognormal(median: .minutes(1), p99: .minutes(30))))
        #expect(scenario.behavior.idle == nil)
        #expect(scenario.behavior.mobile == Mobile(share: 0.5))
        #expect(
            scenario.behavior.mobile
                == Mobile(
                    share: 0.5, ios: 0.5, suspendAfter: .seconds(5), backgroundTask: 0, killWhileSuspended: 0,
                    dozeAfter: .minutes(5), dozeWindow: .minutes(15)))
        #expect(
            scenario.behavior.typing
                == Typing(burstsPerHour: 6, burst: .uniform(.seconds(2), .seconds(30)), keystroke: .milliseconds(250)))
        #expect(scenario.network.latency == .lognormal(median: .milliseconds(60), p99: .milliseconds(600)))
        #expect(scenario.network.loss == 0.005)
        #expect(scenario.network.outages == nil)
        #expect(scenario.faults == [Fault(at: .minutes(40), kind: .restartCore)])
        #expect(
            scenario.thresholds == [
                Threshold(metric: "staleness.offlineDetection.p99", comparison: .less, value: 90, text: "< 90s"),
                Threshold(metric: "cost.heartbeatsPerSecond", comparison: .less, value: 800, text: "< 800"),
            ])
        #expect(scenario.timeline == .minutes(1))
        #expect(scenario.sweep == nil)
    }

    @Test func everyKeyResolves() throws {
        let scenario = try loadFixture("valid/every-key.json")
        #expect(scenario.seed == UInt64.max)
        #expect(scenario.presence.ttl == Interval(nanoseconds: 37_500_000_000))
        #expect(scenario.presence.roomSetTTL == .seconds(150))
        #expect(scenario.presence.typingPoll == .milliseconds(1500))
        #expect(scenario.behavior.idle?.duration == .never)
        #expect(scenario.thresholds.map(\.value) == [0.995, 1.5, 0.25, 12])
        #expect(scenario.sweep?.zip == true)
        #expect(scenario.sweep?.runs.count == 2)
    }

    /// Broken files a new user could plausibly write: the path and a key part of the one error each gives.
    static let broken: [(file: String, path: String, message: String)] = [
        (
            "bare-number-duration.json", "protocol.heartbeat",
            #"expected a duration with a unit like "20s" or "250ms", found the number 20"#
        ),
        ("typo-key.json", "protocol.hartbeat", "unknown key 'hartbeat'; did you mean 'heartbeat'?"),
        ("share-above-one.json", "behavior.graceful", "expected a share between 0 and 1, found the number 1.5"),
        ("negative-heartbeat.json", "protocol.heartbeat", #"expected a duration greater than 0, found "-20s""#),
        ("zero-interval.json", "behavior.hidden.every.constant", #"expected a duration greater than 0, found "0s""#),
        (
            "unknown-design.json", "protocol.design",
            #"expected one of "socketio-redis", "http-polling" or "ttl-entries", found "socket.io""#
        ),
        ("rooms-size-zero.json", "rooms.size", "expected a room size between 1 and 1000000, found the number 0"),
        ("trillion-clients.json", "clients", "1 trillion clients need about 1.1 PB of memory"),
        ("missing-duration.json", "duration", "required key is missing; expected a duration like \"1h\""),
        (
            "unknown-metric.json", #"thresholds["staleness.offlineDetecton.p99"]"#,
            "did you mean 'staleness.offlineDetection.p99'?"
        ),
        ("threshold-unit-mismatch.json", #"thresholds["staleness.offlineDetection.p99"]"#, "is measured in seconds"),
        ("warmup-not-shorter.json", "warmup", "expected a warmup shorter than the duration"),
        (
            "fault-after-end.json", "faults[0].at",
            #"expected a time before the end of the run (the duration is "1h"), found "90m""#
        ),
        ("clients-as-string.json", "clients", #"expected a whole number of clients of at least 1, found "1000""#),
        ("behavior-as-array.json", "behavior", "found an array of 1"),
        ("duration-unit-typo.json", "duration", #"found "1 hour""#),
        ("seed-fraction.json", "seed", "found the number 1.5"),
        ("offline-missing.json", "behavior.offline", "required key is missing when 'online' is given"),
        ("distribution-bare-duration.json", "behavior.offline", #"found "2h""#),
        ("ttl-zero-multiple.json", "protocol.ttl", "expected a multiple of the heartbeat greater than 0"),
        ("name-with-space.json", "name", #"found "family chat""#),
        ("loss-one.json", "network.loss", "expected a loss probability of at least 0 and below 1, found the number 1"),
        ("fault-extra-key.json", "faults[0].for", "'for' does not apply to a restart-core fault"),
        ("heartbeat-at-top-level.json", "heartbeat", "unknown key 'heartbeat' here"),
        ("sweep-bad-value.json", #"sweep.set["protocol.heartbeat"][1]"#, "found the number 20"),
        (
            "duplicate-key.json", "protocol.heartbeat",
            "duplicate key 'heartbeat'; the first one is at line 6, column 45"
        ),
        ("trailing-comma.json", "", "expected a key in double quotes, found '}'"),
        ("comment.json", "", "expected a key in double quotes, found '/'"),
        ("missing-comma.json", "", #"expected ',' or '}' after the value of "name", found '"'"#),
        ("empty.json", "", "the file is empty"),
        ("not-utf8.json", "", "the byte 0xE9 is not valid UTF-8"),
    ]

    @Test(arguments: broken.indices)
    func brokenFixture(index: Int) {
        let (file, path, message) = Self.broken[index]
        do {
            let scenario = try loadFixture("broken/" + file)
            Issue.record("\(file) loaded: \(scenario.name)")
        } catch {
            #expect(error.errors.count == 1, "\(file): \(error)")
            #expect(error.errors.first?.path == path, "\(file): \(error)")
            #expect(error.errors.first?.message.contains(message) == true, "\(file): \(error)")
            #expect(error.errors.first?.file == "broken/" + file)
            #expect(error.description.hasPrefix("broken/" + file + ":"))
        }
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let cases: [(String, Int, Int, String?)] = [
            ("trailing-comma.json", 6, 45, "JSON does not allow a trailing comma: remove the ',' before the '}'"),
            ("comment.json", 2, 3, "JSON does not allow comments"),
            ("missing-comma.json", 3, 3, "a ',' is missing between two members"),
            ("duplicate-key.json", 6, 65, "JSON objects must not repeat a key; keep one of them"),
            ("not-utf8.json", 2, 15, "save the file as UTF-8"),
        ]
        for (file, line, column, hint) in cases {
            do {
                _ = try loadFixture("broken/" + file)
                Issue.record("\(file) loaded")
            } catch {
                let first = error.errors.first
                #expect(first?.line == line, "\(file): \(error)")
                #expect(first?.column == column, "\(file): \(error)")
                #expect(first?.hint == hint, "\(file): \(error)")
                #expect(error.description.hasPrefix("broken/\(file):\(line):\(column): "))
            }
        }
    }

    @Test func everyErrorOfAFileIsReportedInFileOrder() {
        do {
            _ = try loadFixture("broken/several-errors.json")
            Issue.record("loaded")
        } catch {
            #expect(
                error.errors.map(\.path) == [
                    "name", "warmup", "clients", "rooms.size.uniform", "protocol.heartbeat", "protocol.tll",
                    "behavior.graceful", "behavior.mobile.share", "network.loss", "faults[0].at", "faults[1].kind",
                    #"thresholds["cost.heartbeatsPerSecond"]"#,
                ])
            #expect(error.errors.allSatisfy { $0.file == "broken/several-errors.json" })
            let lines = error.description.split(separator: "\n")
            #expect(
                lines.first
                    == #"broken/several-errors.json: name: expected a name of letters, digits, '.', '_' or '-', found "family chat""#
            )
            #expect(lines.filter { !$0.hasPrefix("  hint: ") }.count == 12)
            #expect(error.errors[5].message == "unknown key 'tll'; did you mean 'ttl'?")
        }
    }
}
