import ArgumentParser

@main
struct PresenceSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presence-sim",
        abstract: "Simulate presence systems (who's online, last seen, typing) before production.",
        discussion: """
            Models thousands to millions of clients — heartbeats, hidden tabs, suspended phones, network \
            drops, typing bursts — against an in-memory TTL presence core in deterministic virtual time, \
            and measures staleness, heartbeat cost and event fan-out.

            Start with a bundled scenario, or write a starter scenario of your own:
              presence-sim run Scenarios/family-chat.json
              presence-sim init --design ttl-entries --out my-app.json && presence-sim run my-app.json

            Shell completions: presence-sim --generate-completion-script bash|zsh|fish

            Exit codes: 0 ok · 1 internal failure · 2 a threshold failed · 64 bad input.
            """,
        subcommands: [
            Run.self, SweepCommand.self, Load.self, ExpiryLag.self, Merge.self, Compare.self, Bench.self, Validate.self,
            Metrics.self,
            Init.self,
        ],
        defaultSubcommand: nil
    )

    /// Parses and runs the command. A `ValidationError` that a command throws once it runs (an option that
    /// does not fit the scenario it loaded) names that command's help, not the root's usage; exit 64.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            let name = type(of: command)._commandName
            printError("Error: \(error.message)\n  See 'presence-sim \(name) --help' for more information.")
            exit(withError: ExitCode(64))
        } catch {
            exit(withError: error)
        }
    }
}
