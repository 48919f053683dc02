import Reporting
import Scenario

/// One input: the bytes of a report.json or sweep.json, as `compare` and `merge` read them.
///
/// Every input MUST end in a comparison (or a merged sweep) or in an error that says what is wrong; a
/// trap, a hang or an unbounded allocation is a finding. Each document is compared with itself and with
/// a copy whose numbers are scaled, so every verdict and renderer sees the input's values; a sweep is
/// also merged with itself and rendered.
func fuzzReport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? JSONValue.parse(bytes) else { return 0 }
    for current in [document, scaled(document)] {
        guard
            let comparison = try? ReportComparison(
                baseline: document, file: "baseline.json", current: current, file: "current.json", tolerance: 0.05,
                allowIncomplete: true)
        else { continue }
        _ = TextRenderer(colour: false).render(comparison.table)
        _ = MarkdownRenderer.render(comparison.table)
        _ = comparison.summary
        _ = comparison.json.serialized()
        _ = comparison.exitCode
    }
    if let sweep = try? SweepRunner.merge([("a/sweep.json", document)], x: nil, y: nil) {
        var json: [UInt8] = []
        sweep.json.write(to: &json)
        _ = TextRenderer(colour: false).render(sweep.table)
        _ = MarkdownRenderer.render(sweep.table)
        _ = sweep.paretoSummary
        _ = SweepHTMLRenderer.render(sweep)
    }
    return 0
}

/// The document with every number multiplied by 1.5, to make the comparison see changes.
private func scaled(_ value: JSONValue) -> JSONValue {
    switch value {
    case .number(let number): .number(number * 1.5)
    case .array(let elements): .array(elements.map(scaled))
    case .object(let members): .object(members.map { (key: $0.key, value: scaled($0.value)) })
    default: value
    }
}
