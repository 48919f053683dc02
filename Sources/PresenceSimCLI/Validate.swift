import ArgumentParser
import Scenario

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files without running them.",
        discussion: """
            Reports every error in every file at once: the file, the JSON path, what was expected and \
            what was found.

            Example:
              presence-sim validate Scenarios/*.json

            Exit codes: 0 every file is valid · 64 at least one is not.
            """
    )

    @Argument(help: "Scenario files.", completion: .file(extensions: ["json"]))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one scenario file.") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioLoader.load(path: file)
                print(
                    "ok  \(file): \(scenario.name), \(scenario.presence.design.rawValue), \(scenario.clients) clients")
            } catch {
                failed = true
                printError(error.description)
            }
        }
        if failed { throw ExitCode(64) }
    }
}
