import Foundation
import Reporting
import Testing

private let baselineFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Reports/baselines").standardizedFileURL.path

/// The scenario regression check: every committed baseline must reproduce exactly. A change in the
/// simulator that moves a figure fails here until `presence-sim bench --update` rewrites the baselines.
@Suite struct RegressionTests {
    @Test func thereAreBaselines() throws {
        #expect(try RegressionSuite.baselines(in: baselineFolder).count >= 7)
    }

    @Test(arguments: (try? RegressionSuite.baselines(in: baselineFolder)) ?? [])
    func baselineReproduces(path: String) throws {
        let result = try RegressionSuite.check(path)
        let changes = result.comparison.rows.filter { $0.verdict != .unchanged }
            .map { "\($0.metric): \($0.baseline) → \($0.current)" }
        #expect(
            result.reproduced,
            "\(path) changed (run `presence-sim bench --update` if intended):\n\(changes.joined(separator: "\n"))")
    }
}
