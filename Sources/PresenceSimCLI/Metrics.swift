import ArgumentParser
import Scenario

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every metric path a report carries, for thresholds and compare.",
        discussion: """
            Given a scenario with cohorts, also lists each cohort's metrics (cohorts.NAME.PATH): the same \
            figures for that cohort's clients alone.

            Example threshold in a scenario:
              "thresholds": { "staleness.offlineDetection.p99": "< 90s", "staleness.queryAccuracy": ">= 99%" }
            Examples:
              presence-sim metrics
              presence-sim metrics Scenarios/workspace.json | grep cohorts.phones
            """
    )

    @Argument(help: "A scenario whose cohorts' metric paths to list too.", completion: .file(extensions: ["json"]))
    var scenario: String?

    func run() throws {
        var metrics = MetricCatalog.all
        if let scenario {
            let cohorts = try ScenarioInput.load(scenario, overrides: []).cohorts
            for cohort in cohorts {
                metrics += MetricCatalog.all.compactMap {
                    MetricCatalog.metric(at: MetricCatalog.cohortsPrefix + cohort.name + "." + $0.path)
                }
            }
        }
        let width = metrics.map(\.path.count).max() ?? 0
        for metric in metrics {
            let path = metric.path.padding(toLength: width, withPad: " ", startingAt: 0)
            let direction = metric.better == .neither ? "sample count" : "\(metric.better.rawValue) is better"
            print(
                "\(path)  \(metric.unit.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0))  \(direction)"
            )
        }
    }
}
