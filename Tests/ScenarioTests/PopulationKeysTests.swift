import PresenceCore
import Testing

@testable import Scenario

/// `cohorts`, `behavior.profile` and the `surge` fault: what they read to, and every bad input.
@Suite struct PopulationKeysTests {
    static let base: JSONValue = minimalScenario.with(
        "behavior", ["online": ["exponential": "30m"], "offline": ["exponential": "2h"], "graceful": 0.5]
    ).with("network", ["latency": ["constant": "40ms"], "loss": 0.01])

    static let twoCohorts: JSONValue = [
        ["name": "desks", "share": 0.6],
        [
            "name": "phones", "share": 0.4, "behavior": ["mobile": ["share": 1], "graceful": 0.2],
            "network": ["loss": 0.05],
        ],
    ]

    // MARK: Cohorts

    @Test func aCohortsKeysReplaceTheTopLevelOnes() throws {
        let scenario = try load(Self.base.with("cohorts", Self.twoCohorts))
        #expect(scenario.cohorts.map(\.name) == ["desks", "phones"])
        #expect(scenario.cohorts.map(\.share) == [0.6, 0.4])
        let (desks, phones) = (scenario.cohorts[0], scenario.cohorts[1])
        #expect(desks.behavior == scenario.behavior && desks.network == scenario.network)
        var expected = scenario.behavior
        expected.mobile = Mobile(share: 1)
        expected.graceful = 0.2
        #expect(phones.behavior == expected)
        #expect(phones.network == Network(latency: .constant(.milliseconds(40)), loss: 0.05))
        // Without cohorts the list is empty.
        #expect(try load(Self.base).cohorts.isEmpty)
    }

    /// `offline` and `profile` are one choice: a cohort that gives one replaces the other.
    @Test func offlineAndProfileReplaceEachOther() throws {
        let profile: JSONValue = ["points": [["0s", 0.2], ["1h", 0.5]]]
        let scenario = try load(
            Self.base.with(
                "cohorts",
                [["name": "a", "share": 0.5, "behavior": ["profile": profile]], ["name": "b", "share": 0.5]]))
        #expect(scenario.cohorts[0].behavior.offline == .never && scenario.cohorts[0].behavior.profile != nil)
        #expect(scenario.cohorts[1].behavior.profile == nil)
        let profiled = try load(
            minimalScenario.with("behavior", ["online": ["exponential": "30m"], "profile": profile]).with(
                "cohorts",
                [
                    ["name": "a", "share": 0.5, "behavior": ["offline": ["exponential": "1h"]]],
                    ["name": "b", "share": 0.5],
                ]
            ))
        #expect(profiled.cohorts[0].behavior.profile == nil)
        #expect(profiled.cohorts[0].behavior.offline == .exponential(mean: .hours(1)))
        #expect(profiled.cohorts[1].behavior.profile != nil)
    }

    @Test func cohortSharesMustSumToOne() {
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 0.5], ["name": "b", "share": 0.4]]), at: "cohorts",
            "expected the cohorts' shares to sum to 1, found 0.5 + 0.4 = 0.9")
        // A threshold on a cohort of the faulty list is not reported as an unknown cohort as well.
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 0.5], ["name": "b", "share": 0.4]])
                .with("thresholds", ["cohorts.b.cost.heartbeatsPerSecond": "< 10"]), at: "cohorts",
            "expected the cohorts' shares to sum to 1")
        // Within rounding is fine: a third each.
        let third = 1.0 / 3
        #expect(
            (try? load(
                Self.base.with(
                    "cohorts",
                    [
                        ["name": "a", "share": .number(third)], ["name": "b", "share": .number(third)],
                        ["name": "c", "share": .number(third)],
                    ]))) != nil)
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 0], ["name": "b", "share": 1]]),
            at: "cohorts[0].share", "greater than 0")
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1.5]]), at: "cohorts[0].share",
            "expected a share between 0 and 1")
        expectError(Self.base.with("cohorts", [["name": "a"]]), at: "cohorts[0].share", "required key is missing")
    }

    @Test func cohortNamesAreUniqueIdentifiers() {
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 0.5], ["name": "a", "share": 0.5]]),
            at: "cohorts[1].name", "no other cohort has, found \"a\" (also cohorts[0])")
        expectError(
            Self.base.with("cohorts", [["name": "night shift", "share": 1]]), at: "cohorts[0].name",
            "letters, digits, '_' or '-', found \"night shift\"")
        expectError(Self.base.with("cohorts", [["name": "", "share": 1]]), at: "cohorts[0].name", "found \"\"")
        expectError(Self.base.with("cohorts", [["share": 1]]), at: "cohorts[0].name", "required key is missing")
        expectError(Self.base.with("cohorts", [["name": 7, "share": 1]]), at: "cohorts[0].name", "found the number 7")
    }

    @Test func cohortShapes() {
        expectError(Self.base.with("cohorts", []), at: "cohorts", "a non-empty array of cohorts")
        expectError(Self.base.with("cohorts", ["name": "a"]), at: "cohorts", "found an object")
        expectError(Self.base.with("cohorts", ["phones"]), at: "cohorts[0]", "found \"phones\"")
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1, "behaviour": [:]]]), at: "cohorts[0].behaviour",
            "did you mean 'behavior'?")
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1, "behavior": "calm"]]), at: "cohorts[0].behavior",
            "expected an object of keys that replace the top-level ones, found \"calm\"")
        let many = JSONValue.array(
            (0..<256).map { ["name": .string("c\($0)"), "share": .number(1.0 / 256)] })
        expectError(Self.base.with("cohorts", many), at: "cohorts", "at most 255 cohorts, found 256")
    }

    /// The merged objects go through the usual readers, so errors carry the cohort's path.
    @Test func mergedKeysAreValidatedAtTheCohortsPath() {
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1, "behavior": ["online": 20]]]),
            at: "cohorts[0].behavior.online", "found the number 20")
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1, "network": ["latency": "fast"]]]),
            at: "cohorts[0].network.latency", "found \"fast\"")
        expectError(
            Self.base.with("cohorts", [["name": "a", "share": 1, "behavior": ["mobile": ["shar": 1]]]]),
            at: "cohorts[0].behavior.mobile.shar", "did you mean 'share'?")
        // A cohort that turns spells on must say how clients come back, like the top level.
        expectError(
            minimalScenario.with(
                "cohorts", [["name": "a", "share": 1, "behavior": ["online": ["exponential": "1h"]]]]),
            at: "cohorts[0].behavior.offline", "required key is missing when 'online' is given")
    }

    /// A bad top-level key that cohorts inherit is reported once, where it is written.
    @Test func inheritedErrorsAreReportedOnce() {
        let found = errors(
            Self.base.with("behavior.graceful", 3).with(
                "cohorts", [["name": "a", "share": 0.5], ["name": "b", "share": 0.5, "behavior": ["graceful": 4]]]))
        #expect(found.map(\.path) == ["behavior.graceful", "cohorts[1].behavior.graceful"], "\(found)")
    }

    // MARK: Profile

    @Test func profilesRead() throws {
        let scenario = try load(
            minimalScenario.with(
                "behavior",
                [
                    "online": ["exponential": "30m"],
                    "profile": [
                        "points": [["0h", 0.1], ["9h", 0.8], ["18h", 0.6], ["24h", 0.1]], "repeat": "24h",
                    ],
                ]))
        let profile = try #require(scenario.behavior.profile)
        #expect(profile.period == .hours(24))
        #expect(profile.points.map(\.share) == [0.1, 0.8, 0.6, 0.1])
        #expect(profile.share(at: .hours(9)) == 0.8)
        #expect(abs(profile.share(at: .minutes(90) + .hours(12)) - 0.7) < 1e-12)
        #expect(abs(profile.share(at: .hours(24 + 9)) - 0.8) < 1e-12)
        #expect(scenario.behavior.offline == .never)
        // Without a repetition the last share holds.
        let held = Profile(points: [Profile.Point(at: .zero, share: 0.2), Profile.Point(at: .hours(1), share: 0.4)])
        #expect(held.share(at: .hours(5)) == 0.4)
        // A profile alone is enough: spells never end, clients arrive as the curve rises.
        #expect(try load(minimalScenario.with("behavior.profile", ["points": [["0s", 0.5]]])).behavior.profile != nil)
    }

    @Test func badProfiles() {
        func profile(_ value: JSONValue) -> JSONValue {
            minimalScenario.with("behavior", ["online": ["exponential": "30m"], "profile": value])
        }
        expectError(
            profile(["points": [["1h", 0.1], ["2h", 0.5]]]), at: "behavior.profile.points[0][0]",
            "expected the first point at \"0s\", found \"1h\"")
        expectError(
            profile(["points": [["0h", 0.1], ["2h", 0.5], ["1h", 0.3]]]), at: "behavior.profile.points[2][0]",
            "expected a time after the previous point's (\"2h\"), found \"1h\"")
        expectError(
            profile(["points": [["0h", 0.1], ["0h", 0.5]]]), at: "behavior.profile.points[1][0]",
            "a time after the previous point's")
        expectError(
            profile(["points": [["0h", 1.2]]]), at: "behavior.profile.points[0][1]", "expected a share between 0 and 1")
        expectError(profile(["points": [["0h", -0.1]]]), at: "behavior.profile.points[0][1]", "between 0 and 1")
        expectError(profile(["points": [["0h"]]]), at: "behavior.profile.points[0]", "a [time, share] pair")
        expectError(profile(["points": [0.5]]), at: "behavior.profile.points[0]", "a [time, share] pair")
        expectError(profile(["points": [[0, 0.5]]]), at: "behavior.profile.points[0][0]", "found the number 0")
        expectError(profile(["points": []]), at: "behavior.profile.points", "a non-empty array")
        expectError(profile([:]), at: "behavior.profile.points", "required key is missing")
        expectError(
            profile(["points": [["0h", 0.1], ["9h", 0.8]], "repeat": "8h"]), at: "behavior.profile.repeat",
            "at least as long as the last point's time (\"9h\"), found \"8h\"")
        expectError(
            profile(["points": [["0h", 0.1]], "repeat": "0s"]), at: "behavior.profile.repeat", "greater than 0")
        expectError(
            profile(["points": [["0h", 0.1]], "repeats": "24h"]), at: "behavior.profile.repeats",
            "did you mean 'repeat'?")
        expectError(profile("daily"), at: "behavior.profile", "found \"daily\"")
        expectError(
            minimalScenario.with(
                "behavior",
                [
                    "online": ["exponential": "30m"], "offline": ["exponential": "1h"],
                    "profile": ["points": [["0h", 0.1]]],
                ]), at: "behavior.offline", "'offline' does not apply with a 'profile'")
    }

    // MARK: Surge

    @Test func surgesRead() throws {
        let scenario = try load(
            minimalScenario.with("faults", [["at": "30m", "kind": "surge", "share": 0.3, "within": "1m"]]))
        #expect(scenario.faults == [Fault(at: .minutes(30), kind: .surge(share: 0.3, within: .minutes(1)))])
        let instant = try load(
            minimalScenario.with("faults", [["at": "59m", "kind": "surge", "share": 1, "within": "0s"]]))
        #expect(instant.faults == [Fault(at: .minutes(59), kind: .surge(share: 1, within: .zero))])
        // Ending exactly at the end of the run is fine.
        #expect(
            (try? load(minimalScenario.with("faults", [["at": "59m", "kind": "surge", "share": 1, "within": "1m"]])))
                != nil)
    }

    @Test func badSurges() {
        func surge(_ members: JSONValue) -> JSONValue { minimalScenario.with("faults", [members]) }
        expectError(
            surge(["at": "1h", "kind": "surge", "share": 0.3, "within": "1m"]), at: "faults[0].at",
            "before the end of the run")
        expectError(
            surge(["at": "59m30s", "kind": "surge", "share": 0.3, "within": "1m"]), at: "faults[0].within",
            "expected the surge to end by the end of the run", hint: "at most \"30s\"")
        expectError(
            surge(["at": "9m", "kind": "surge", "share": 0, "within": "1m"]), at: "faults[0].share", "greater than 0")
        expectError(
            surge(["at": "9m", "kind": "surge", "share": 1.1, "within": "1m"]), at: "faults[0].share",
            "between 0 and 1")
        expectError(
            surge(["at": "9m", "kind": "surge", "share": 0.3, "within": "-1m"]), at: "faults[0].within",
            "of at least 0s")
        expectError(surge(["at": "9m", "kind": "surge", "within": "1m"]), at: "faults[0].share", "required key")
        expectError(surge(["at": "9m", "kind": "surge", "share": 0.3]), at: "faults[0].within", "required key")
        expectError(
            surge(["at": "9m", "kind": "surge", "share": 0.3, "within": "1m", "for": "1m"]), at: "faults[0].for",
            "'for' does not apply to a surge fault", hint: "'share' and 'within'")
        expectError(
            surge(["at": "9m", "kind": "partition", "for": "1m", "within": "1m"]), at: "faults[0].within",
            "'within' does not apply to a partition fault")
        expectError(surge(["at": "9m", "kind": "surg"]), at: "faults[0].kind", "found \"surg\"", hint: "\"surge\"")
    }

    // MARK: Overrides, sweeps, resolution, estimates

    @Test func overridesAndSweepsReachTheNewKeys() throws {
        let document = Self.base.with("cohorts", Self.twoCohorts)
        let set = try load(
            document,
            overrides: [
                Override(path: "cohorts[0].share", value: 0.5), Override(path: "cohorts[1].share", value: 0.5),
                Override(path: "cohorts[1].behavior.profile", value: ["points": [["0s", 0.3]]]),
            ])
        #expect(set.cohorts.map(\.share) == [0.5, 0.5])
        #expect(set.cohorts[1].behavior.profile?.points.first?.share == 0.3)
        let bad = errors(document, overrides: [Override(path: "cohorts[1].share", value: 0.3)])
        #expect(bad.map(\.path) == ["cohorts"] && bad.first?.message.contains("0.6 + 0.3 = 0.9") == true, "\(bad)")
        let swept = try load(
            document.with(
                "sweep",
                [
                    "set": [
                        "cohorts[1].behavior.mobile.share": [0.5, 1],
                        "faults[0]": [
                            ["at": "10m", "kind": "surge", "share": 0.2, "within": "1m"],
                            ["at": "20m", "kind": "surge", "share": 0.4, "within": "1m"],
                        ],
                    ]
                ]))
        #expect(swept.sweep?.runs.count == 4)
        let badSweep = errors(
            document.with("sweep", ["set": ["behavior.profile.points[0][1]": [0.5, 2]]]).with(
                "behavior.offline", .null
            ).with("behavior.profile", ["points": [["0s", 0.1]]]))
        #expect(badSweep.map(\.path) == [#"sweep.set["behavior.profile.points[0][1]"][1]"#], "\(badSweep)")
    }

    @Test func resolvedJSONRoundTripsTheNewKeys() throws {
        let scenario = try load(
            Self.base.with("cohorts", Self.twoCohorts).with(
                "cohorts[1].behavior.profile", ["points": [["0s", 0.3], ["1h", 0.6]], "repeat": "2h"]
            ).with("faults", [["at": "10m", "kind": "surge", "share": 0.25, "within": "30s"]]))
        let resolved = scenario.resolvedJSON()
        #expect(resolved["cohorts"]?[1]?["behavior"]?["offline"] == nil)
        #expect(resolved["cohorts"]?[1]?["behavior"]?["profile"]?["repeat"] == "2h")
        #expect(resolved["faults"]?[0]?["within"] == "30s")
        #expect(try load(text: resolved.serialized()) == scenario)
        // Without cohorts the resolved scenario has no cohorts key.
        #expect(try load(Self.base).resolvedJSON()["cohorts"] == nil)
    }

    /// The work estimate counts each cohort's behaviour for its share of the clients, and a profile's
    /// arrivals from its spells.
    @Test func theWorkEstimateCountsCohortsAndProfiles() throws {
        let busy: JSONValue = [
            "typing": ["burstsPerHour": 60, "burst": ["constant": "1m"], "keystroke": "1ms"]
        ]
        let calm = Self.base.with("clients", 100_000).with("duration", "10h")
        // Everyone typing this fast is refused; a cohort of 1 % doing it is not.
        expectError(calm.with("behavior.typing", busy["typing"]!), at: "clients", "with behavior.typing every")
        let few = calm.with(
            "cohorts", [["name": "typists", "share": 0.001, "behavior": busy], ["name": "rest", "share": 0.999]])
        #expect(throws: Never.self) { try load(few) }
        let many = calm.with(
            "cohorts", [["name": "typists", "share": 0.9, "behavior": busy], ["name": "rest", "share": 0.1]])
        expectError(many, at: "clients", "with cohorts[0].behavior.typing every")
        let presence = try load(minimalScenario).presence
        let profiled = Behavior(
            online: .exponential(mean: .minutes(10)),
            profile: Profile(points: [Profile.Point(at: .zero, share: 0.1), Profile.Point(at: .hours(1), share: 0.5)]))
        let recurring = ResourceEstimate.recurring(presence: presence, behavior: profiled, network: nil)
        #expect(recurring.contains(ResourceEstimate.Recurring(key: "behavior.profile", period: .minutes(20))))
    }
}
