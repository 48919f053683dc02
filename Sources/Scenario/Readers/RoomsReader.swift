/// The `rooms` section: how many members a room has.
extension Validator {
    func rooms(_ value: JSONValue, _ path: JSONPath) -> Rooms? {
        let expected = "an object like {\"size\": {\"uniform\": [2, 8]}}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.rooms) else { return nil }
        return required(members, "size", expected: "a room size like 5 or {\"uniform\": [2, 8]}").flatMap {
            countDistribution($0, members.path("size")).map(Rooms.init(size:))
        }
    }
}

extension CountDistribution {
    /// The largest value a draw can take.
    var largest: Int {
        switch self {
        case .constant(let value): value
        case .uniform(_, let high): high
        }
    }
}
