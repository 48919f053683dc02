import PresenceCore

/// The `behavior` section: sessions, hidden tabs, idleness, phones and typing.
///
/// Like `network`, the section reads to a value even when part of it is invalid: every reader that gives
/// up has reported an error, and ``scenario(_:physicalMemory:validatesSweep:)`` returns nil when there is one.
extension Validator {
    func behavior(_ value: JSONValue, _ path: JSONPath) -> Behavior? {
        let expected = "an object like {\"online\": {\"exponential\": \"1h\"}, \"offline\": {\"exponential\": \"2h\"}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.behavior) else { return nil }
        var result = Behavior()
        if let value = members["online"], let online = distribution(value, members.path("online")) {
            result.online = online
        }
        if let value = members["profile"] {
            result.profile = profile(value, members.path("profile"))
            if members["offline"] != nil {
                report(
                    members.path("offline"),
                    "'offline' does not apply with a 'profile': arrivals follow the profile",
                    hint: "leave 'offline' out, or leave 'profile' out to draw offline gaps from 'offline'")
            }
        } else if let value = members["offline"] {
            result.offline = distribution(value, members.path("offline")) ?? .never
        } else if members["online"] != nil, result.online != .never, !members.suggested.contains("offline"),
            !members.suggested.contains("profile")
        {
            report(
                members.path("offline"),
                "required key is missing when 'online' is given; expected how long clients stay away, "
                    + "like {\"exponential\": \"2h\"}",
                hint: "write \"never\" if clients that leave never come back, or give a 'profile' instead")
        }
        shareKnob(members, "graceful") { result.graceful = $0 }
        shareKnob(members, "vanish") { result.vanish = $0 }
        result.hidden = members["hidden"].flatMap { episodes($0, members.path("hidden")) }
        result.idle = members["idle"].flatMap { episodes($0, members.path("idle")) }
        result.mobile = members["mobile"].flatMap { mobile($0, members.path("mobile")) }
        result.typing = members["typing"].flatMap { typing($0, members.path("typing")) }
        return result
    }

    /// `{"every": distribution, "for": distribution}`: hidden tabs, idleness, and the network's outages.
    func episodes(_ value: JSONValue, _ path: JSONPath) -> Episodes? {
        let expected = "an object like {\"every\": {\"exponential\": \"15m\"}, \"for\": {\"constant\": \"1m\"}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.episodes) else { return nil }
        let every = required(members, "every", expected: "a distribution of the time between episodes").flatMap {
            distribution($0, members.path("every"))
        }
        let duration = required(members, "for", expected: "a distribution of how long an episode lasts").flatMap {
            distribution($0, members.path("for"))
        }
        guard let every, let duration else { return nil }
        return Episodes(every: every, duration: duration)
    }

    private func mobile(_ value: JSONValue, _ path: JSONPath) -> Mobile? {
        guard let members = members(value, path, expected: "an object like {\"share\": 0.5}", keys: ScenarioKeys.mobile)
        else { return nil }
        let share = required(members, "share", expected: "the share of clients on a phone, like 0.5").flatMap {
            self.share($0, members.path("share"))
        }
        var result = Mobile(share: share ?? 0)
        var valid = share != nil
        func shareKnob(_ key: String, _ apply: (Double) -> Void) {
            guard let value = members[key] else { return }
            if let share = self.share(value, members.path(key)) { apply(share) } else { valid = false }
        }
        shareKnob("ios") { result.ios = $0 }
        shareKnob("backgroundTask") { result.backgroundTask = $0 }
        shareKnob("killWhileSuspended") { result.killWhileSuspended = $0 }
        durationKnob(members, "suspendAfter", zero: .allowed) {
            result.suspendAfter = $0
        } invalid: {
            valid = false
        }
        durationKnob(members, "dozeAfter", zero: .allowed) {
            result.dozeAfter = $0
        } invalid: {
            valid = false
        }
        durationKnob(members, "dozeWindow") {
            result.dozeWindow = $0
        } invalid: {
            valid = false
        }
        return valid ? result : nil
    }

    private func typing(_ value: JSONValue, _ path: JSONPath) -> Typing? {
        let expected =
            "an object like {\"burstsPerHour\": 6, \"burst\": {\"uniform\": [\"2s\", \"30s\"]}, \"keystroke\": \"250ms\"}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.typing) else { return nil }
        let rate = required(members, "burstsPerHour", expected: "a number of bursts per hour like 6").flatMap {
            number($0, members.path("burstsPerHour"), expected: "a number of bursts per hour between 0 and 3600") {
                (0...3600).contains($0)
            }
        }
        let burst = required(members, "burst", expected: "a distribution like {\"uniform\": [\"2s\", \"30s\"]}").flatMap
        { distribution($0, members.path("burst"), never: false) }
        let keystroke = required(members, "keystroke", expected: "a duration like \"250ms\"").flatMap {
            interval($0, members.path("keystroke"))
        }
        guard let rate, let burst, let keystroke else { return nil }
        return Typing(burstsPerHour: rate, burst: burst, keystroke: keystroke)
    }

    /// `{"points": [["0h", 0.1], ["9h", 0.8]], "repeat": "24h"}`: the expected share online over time.
    private func profile(_ value: JSONValue, _ path: JSONPath) -> Profile? {
        let example = "{\"points\": [[\"0h\", 0.1], [\"9h\", 0.8], [\"18h\", 0.1]], \"repeat\": \"24h\"}"
        guard let members = members(value, path, expected: "an object like " + example, keys: ScenarioKeys.profile)
        else { return nil }
        let pointsExpected = "a non-empty array of [time, share] pairs like [[\"0h\", 0.1], [\"9h\", 0.8]]"
        let points = required(members, "points", expected: pointsExpected).flatMap {
            profilePoints($0, members.path("points"), expected: pointsExpected)
        }
        let period: Interval?? = members["repeat"].map { interval($0, members.path("repeat")) }
        if let points, let last = points.last, case .some(.some(let period)) = period, period < last.at {
            report(
                members.path("repeat"),
                "expected a repetition at least as long as the last point's time (\"\(last.at)\"), "
                    + "found \"\(period)\"")
            return nil
        }
        switch period {
        case .none: return points.map { Profile(points: $0) }
        case .some(.none): return nil
        case .some(.some(let period)): return points.map { Profile(points: $0, period: period) }
        }
    }

    private func profilePoints(_ value: JSONValue, _ path: JSONPath, expected: String) -> [Profile.Point]? {
        guard case .array(let elements) = value, !elements.isEmpty else {
            mismatch(path, expected: expected, found: value)
            return nil
        }
        var points: [Profile.Point] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let pointPath = path.appending(index: index)
            guard case .array(let pair) = element, pair.count == 2 else {
                mismatch(pointPath, expected: "a [time, share] pair like [\"9h\", 0.8]", found: element)
                valid = false
                continue
            }
            let at = interval(pair[0], pointPath.appending(index: 0), zero: .allowed)
            let share = self.share(pair[1], pointPath.appending(index: 1))
            guard let at, let share else {
                valid = false
                continue
            }
            if index == 0, at != .zero {
                report(
                    pointPath.appending(index: 0), "expected the first point at \"0s\", found \"\(at)\"",
                    hint: "the curve starts with the run; add a point [\"0s\", share] first")
                valid = false
            } else if let previous = points.last, at <= previous.at {
                report(
                    pointPath.appending(index: 0),
                    "expected a time after the previous point's (\"\(previous.at)\"), found \"\(at)\"",
                    hint: "points are strictly ordered by time")
                valid = false
            }
            points.append(Profile.Point(at: at, share: share))
        }
        return valid ? points : nil
    }
}
