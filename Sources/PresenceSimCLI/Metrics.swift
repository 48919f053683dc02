import ArgumentParser
import Scenario

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every metric path a report carries, for thresholds and compare.",
        discussion: """
            Example threshold in a scenario:
              "thresholds": { "staleness.offlineDetection.p99": "< 90s", "staleness.queryAccuracy": ">= 99%" }
            """
    )

    func run() {
        let width = MetricCatalog.all.map(\.path.count).max() ?? 0
        for metric in MetricCatalog.all {
            let path = metric.path.padding(toLength: width, withPad: " ", startingAt: 0)
            let direction = metric.better == .neither ? "sample count" : "\(metric.better.rawValue) is better"
            print(
                "\(path)  \(metric.unit.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0))  \(direction)"
            )
        }
    }
}
