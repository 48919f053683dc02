/// The `network` section: latency, loss and outages.
///
/// Like `behavior`, the section reads to a value even when part of it is invalid (the error is reported).
extension Validator {
    func network(_ value: JSONValue, _ path: JSONPath) -> Network? {
        let expected = "an object like {\"latency\": {\"constant\": \"50ms\"}, \"loss\": 0.01}"
        guard let members = members(value, path, expected: expected, keys: ScenarioKeys.network) else { return nil }
        var result = Network()
        if let value = members["latency"],
            let latency = distribution(value, members.path("latency"), zero: .allowed, never: false)
        {
            result.latency = latency
        }
        if let value = members["loss"],
            let loss = number(
                value, members.path("loss"), expected: "a loss probability of at least 0 and below 1",
                accepts: {
                    $0 >= 0 && $0 < 1
                })
        {
            result.loss = loss
        }
        result.outages = members["outages"].flatMap { episodes($0, members.path("outages")) }
        return result
    }
}
