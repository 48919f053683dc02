import Foundation
import Scenario
import Testing

/// Runs another program (found on PATH) with `arguments` in `folder` (the repository by default), with
/// `environment` added to this process's.
func external(
    _ program: String, _ arguments: [String], in folder: URL = repository, environment: [String: String] = [:]
) throws -> Result {
    try execute(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, in: folder, environment: environment)
}

/// Whether `command` runs here; CI (`CI=true`, which `.ci/run` sees) MUST have every tool, so there a
/// missing one fails the test instead of skipping it.
func available(_ command: [String]) -> Bool {
    if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
    return (try? external(command[0], Array(command.dropFirst())).status) == 0
}

let xmllintAvailable = available(["xmllint", "--version"])
let pyyamlAvailable = available(["python3", "-c", "import yaml"])

/// Checks `file` against the JUnit schema in Tests/Fixtures with `xmllint --schema`.
func expectValidJUnit(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try external("xmllint", ["--noout", "--schema", "Tests/Fixtures/junit.xsd", file])
    #expect(result.status == 0, "\(file) does not validate:\n\(result.stderr)", sourceLocation: sourceLocation)
}

func read(_ file: String) throws -> String {
    try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
}

/// A short run of a bundled scenario: 300 clients for 15 minutes, without its faults.
private let short = [
    "--engine", "events", "--set", "clients=300", "--set", "duration=15m", "--set", "warmup=2m", "--set", "faults=[]",
]

/// `--junit FILE` on every command that has a verdict: valid JUnit, a failure with the measured value, the
/// limit and the unit for each breach, and the exit code as without it.
@Suite(.enabled(if: xmllintAvailable, "xmllint (Debian's libxml2-utils) is not installed"))
struct JUnitTests {
    @Test func runWritesOneCasePerThreshold() throws {
        let folder = temporaryFolder()
        let junit = folder + "/junit/run.xml"
        let thresholds =
            #"thresholds={"cost.heartbeatsPerSecond": "< 1", "staleness.offlineDetection.p99": "< 1m30s", "#
            + #""staleness.queryAccuracy": ">= 1%"}"#
        let result = try presenceSim(
            ["run", "Scenarios/ttl-entries.json", "--out", folder, "--quiet", "--junit", junit, "--set", thresholds]
                + short)
        #expect(result.status == 2, "\(result.stderr)")
        try expectValidJUnit(junit)
        let xml = try read(junit)
        #expect(xml.contains(#"<testsuite name="presence-sim run ttl-entries" tests="3" failures="1" errors="0""#))
        #expect(xml.contains(#"<testcase classname="ttl-entries" name="staleness.offlineDetection.p99 &lt; 1m30s"/>"#))
        #expect(xml.contains(#"<failure type="threshold" message="cost.heartbeatsPerSecond is "#))
        #expect(xml.contains("the limit is &lt; 1.00 /s (unit: 1/s)"))
        #expect(xml.contains("limit: &lt; 1 1/s\n"))
        #expect(xml.contains(#"<property name="complete" value="true"/>"#))

        // Deterministic: the same run gives the same bytes; passing thresholds exit 0 with no failure.
        let again = folder + "/again.xml"
        #expect(
            try presenceSim(
                [
                    "run", "Scenarios/ttl-entries.json", "--out", folder, "--quiet", "--junit", again, "--set",
                    thresholds,
                ]
                    + short
            ).status == 2)
        #expect(try read(again) == xml)
        let passing = folder + "/pass.xml"
        let ok = try presenceSim(
            ["run", "Scenarios/ttl-entries.json", "--out", folder, "--quiet", "--junit", passing] + short)
        #expect(ok.status == 0, "\(ok.stderr)")
        try expectValidJUnit(passing)
        #expect(try !read(passing).contains("<failure"))
    }

    @Test func sweepWritesEachPointsThresholdsAndKeepsItsExitCode() throws {
        let folder = temporaryFolder()
        let junit = folder + "/sweep.xml"
        let result = try presenceSim([
            "sweep", "Scenarios/heartbeat-sweep.json", "--quiet", "--set", "clients=200", "--out", folder, "--junit",
            junit, "--set", #"thresholds={"cost.heartbeatsPerSecond": "< 10"}"#,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        try expectValidJUnit(junit)
        let xml = try read(junit)
        #expect(xml.contains(#"tests="4""#))
        #expect(xml.contains(#"name="[protocol.heartbeat=10s] cost.heartbeatsPerSecond &lt; 10""#))
        #expect(xml.components(separatedBy: "<testcase ").count == 5)
    }

    @Test func compareWritesOneCasePerMetric() throws {
        let folder = temporaryFolder()
        let reports = try ["30s", "60s"].map { ttl in
            let out = folder + "/" + ttl
            let result = try presenceSim(
                [
                    "run", "Scenarios/ttl-entries.json", "--out", out, "--quiet", "--set", "protocol.ttl=\(ttl)",
                    "--set", "thresholds={}",
                ] + short)
            #expect(result.status == 0, "\(result.stderr)")
            return out + "/report.json"
        }
        let junit = folder + "/compare.xml"
        let metric = "staleness.store.offlineDetection.mean"
        let worse = try presenceSim(["compare", reports[0], reports[1], "--metric", metric, "--junit", junit])
        #expect(worse.status == 2, "\(worse.stdout)")
        try expectValidJUnit(junit)
        let xml = try read(junit)
        #expect(xml.contains(#"tests="1" failures="1""#))
        #expect(xml.contains(#"<failure type="regression" message="\#(metric) regressed to "#))
        #expect(xml.contains("(tolerance 5.00 %; unit: seconds)"))
        #expect(xml.contains("limit: &lt;= "))

        let all = folder + "/all.xml"
        let same = try presenceSim(["compare", reports[0], reports[0], "--junit", all])
        #expect(same.status == 0)
        try expectValidJUnit(all)
        let cases = try read(all).components(separatedBy: "<testcase ").count - 1
        #expect(cases > 50 && cases <= MetricCatalog.all.count, "\(cases) cases")
        #expect(try !read(all).contains("<failure"))
    }

    @Test func benchWritesOneCasePerBaseline() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let baseline = try read("\(repository.path)/Reports/baselines/ttl-entries.json")
        try Data(baseline.utf8).write(to: URL(fileURLWithPath: folder + "/ttl-entries.json"))
        // A baseline whose recorded figures and fingerprint are off: the re-run must flag it.
        var tampered = baseline
        for key in [#""heartbeatsPerSecond": "#, #""fingerprint": ""#] {
            let range = try #require(tampered.range(of: key))
            tampered = tampered.replacingCharacters(in: range, with: key + "1")
        }
        try Data(tampered.utf8).write(to: URL(fileURLWithPath: folder + "/tampered.json"))

        let junit = folder + "/bench.xml"
        let result = try presenceSim(["bench", folder, "--junit", junit])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        try expectValidJUnit(junit)
        let xml = try read(junit)
        #expect(xml.contains(#"<testsuite name="presence-sim bench" tests="2" failures="1""#))
        #expect(xml.contains(#"<testcase classname="bench" name="ttl-entries.json">"#))
        #expect(xml.contains(#"<failure type="changed" message="tampered.json changed: fingerprint "#))
        #expect(xml.contains("cost.heartbeatsPerSecond: measured "))
        #expect(xml.contains("(the baseline)"))
    }

    @Test func anUnwritableReportExits64() throws {
        let blocker = temporaryFolder()
        try Data().write(to: URL(fileURLWithPath: blocker))
        let result = try presenceSim(
            ["run", "Scenarios/ttl-entries.json", "--out", temporaryFolder(), "--quiet", "--junit", blocker + "/x.xml"]
                + short)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--junit"))
    }
}

/// `presence-sim init`: a starter scenario per design that validates, runs green and is never overwritten
/// by accident.
@Suite struct InitCommandTests {
    @Test(arguments: Design.allCases)
    func writesAStarterThatValidatesAndPasses(design: Design) throws {
        let folder = temporaryFolder()
        let file = folder + "/lobby.json"
        let result = try presenceSim(["init", "--design", design.rawValue, "--out", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("presence-sim run \(file)"))
        let scenario = try ScenarioLoader.load(path: file)
        #expect(scenario.name == "lobby")
        #expect(scenario.presence.design == design)
        let document = try JSONValue.parse(try read(file))
        for key in ["description", "seed", "duration", "warmup", "clients", "rooms", "behavior", "network", "faults"] {
            #expect(document[key] != nil, "missing \(key)")
        }
        for key in ["heartbeat", "ttl", "expiry", "delivery", "leaveGrace", "batch", "reconnect"] {
            #expect(document["protocol"]?[key] != nil, "missing protocol.\(key)")
        }
        #expect(try #require(document["description"]?.stringValue).contains("protocol.heartbeat"))
        #expect(try presenceSim(["validate", file]).status == 0)
        let run = try presenceSim(["run", file, "--engine", "events", "--quiet", "--out", folder + "/out"])
        #expect(run.status == 0, "the starter's thresholds fail: \(run.stderr)")
    }

    @Test func refusesToOverwriteWithoutForce() throws {
        let file = temporaryFolder() + ".json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        let refused = try presenceSim(["init", "--out", file])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("\(file) already exists; pass --force"))
        #expect(try read(file) == "{}")
        let forced = try presenceSim(["init", "--out", file, "--force", "--design", "ttl-entries"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try ScenarioLoader.load(path: file).presence.design == .ttlEntries)
    }

    @Test func printsWithADashAndRefusesUnknownDesigns() throws {
        let printed = try presenceSim(["init", "--out", "-", "--design", "http-polling"])
        #expect(printed.status == 0)
        let scenario = try ScenarioLoader.load(bytes: Array(printed.stdout.utf8), file: "stdout")
        #expect(scenario.name == "scenario")
        #expect(scenario.presence.design == .httpPolling)
        let unknown = try presenceSim(["init", "--design", "websockets", "--out", "-"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("socketio-redis"))
    }
}

/// What the README documents for shells and durations works through the binary.
@Suite struct ShellAndDurationTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) throws {
        let result = try presenceSim(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result.stderr)")
        for word in ["init", "bench", "junit", "force"] {
            #expect(result.stdout.contains(word), "\(shell) completions lack \(word)")
        }
    }

    @Test func compoundDurationsOnTheCommandLine() throws {
        let result = try presenceSim(
            [
                "run", "Scenarios/ttl-entries.json", "--format", "json", "--out", temporaryFolder(), "--engine",
                "events", "--set", "clients=100", "--set", "duration=12m30s", "--set", "warmup=1m30s", "--set",
                "faults=[]", "--set", #"thresholds={"staleness.offlineDetection.p99": "< 1m30s"}"#,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(result.stdout)
        #expect(report["run"]?["simulatedSeconds"]?.doubleValue == 750)
        #expect(report["scenario"]?["warmup"]?.stringValue == "90s")

        let wrongOrder = try presenceSim(["run", "Scenarios/ttl-entries.json", "--set", "duration=30m1h"])
        #expect(wrongOrder.status == 64)
        #expect(wrongOrder.stderr.contains(#"Scenarios/ttl-entries.json: duration: expected a duration"#))
        #expect(wrongOrder.stderr.contains(#"found "30m1h""#))
        #expect(wrongOrder.stderr.contains("the larger ones first"))
        let option = try presenceSim(["load", "Scenarios/ttl-entries.json", "--duration", "1h30"])
        #expect(option.status == 64)
        #expect(option.stderr.contains(#"--duration: expected a duration like 500ms, 5s, 2m or 1m30s, found '1h30'; "#))
        #expect(option.stderr.contains(#"add a unit after 30: "30m""#))
    }
}

/// The recipes in docs/ci.md: valid YAML with the keys GitHub and GitLab require, only commands the README
/// documents, and those commands work when run as the recipes run them.
@Suite(.enabled(if: pyyamlAvailable, "PyYAML is not installed (pip install pyyaml)"))
struct CIRecipeTests {
    /// The YAML blocks of docs/ci.md, read by PyYAML and handed over as JSON. YAML 1.1 reads the key `on` as
    /// true where GitHub reads the string, so it is turned back.
    static func recipes() throws -> (github: JSONValue, gitlab: JSONValue) {
        let script = #"""
            import json, re, yaml
            text = open("docs/ci.md", encoding="utf-8").read()
            def keys(value):
                if isinstance(value, dict):
                    return {("on" if key is True else str(key)): keys(item) for key, item in value.items()}
                if isinstance(value, list):
                    return [keys(item) for item in value]
                return value
            print(json.dumps([keys(yaml.safe_load(block)) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]))
            """#
        let result = try external("python3", ["-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let documents = try #require(try JSONValue.parse(result.stdout).arrayValue)
        try #require(documents.count == 2, "docs/ci.md should have two YAML blocks, GitHub's and GitLab's")
        return (documents[0], documents[1])
    }

    static func steps(_ workflow: JSONValue) -> [JSONValue] {
        (workflow["jobs"]?.objectValue ?? []).flatMap { $0.value["steps"]?.arrayValue ?? [] }
    }

    /// The GitHub steps the test runs: those after the one that puts presence-sim on the PATH (the build
    /// before it is what `.ci/static-binary` checks).
    static func commandSteps(_ workflow: JSONValue) -> [String] {
        let scripts = steps(workflow).compactMap { $0["run"]?.stringValue }
        guard let path = scripts.firstIndex(where: { $0.contains("GITHUB_PATH") }) else { return [] }
        return Array(scripts[(path + 1)...])
    }

    static func gitlabScript(_ pipeline: JSONValue) -> [String] {
        (pipeline["presence-sim"]?["script"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    @Test func theGitHubWorkflowHasWhatGitHubRequires() throws {
        let workflow = try Self.recipes().github
        #expect(workflow["on"]?["pull_request"] != nil)
        let jobs = try #require(workflow["jobs"]?.objectValue)
        #expect(!jobs.isEmpty)
        for (name, job) in jobs {
            #expect(job["runs-on"]?.stringValue != nil, "job \(name) has no runs-on")
            let stepCount = job["steps"]?.arrayValue?.count ?? 0
            #expect(stepCount > 0, "job \(name) has no steps")
        }
        let steps = Self.steps(workflow)
        for step in steps {
            let kinds = [step["uses"], step["run"]].compactMap { $0 }.count
            #expect(kinds == 1, "a step needs uses or run: \(step)")
            if let action = step["uses"]?.stringValue {
                #expect(action.contains("/") && action.contains("@v"), "\(action): owner/name@version")
            }
        }
        let actions = steps.compactMap { $0["uses"]?.stringValue?.split(separator: "@").first.map(String.init) }
        for action in [
            "actions/checkout", "actions/cache", "marocchino/sticky-pull-request-comment",
            "mikepenz/action-junit-report", "actions/upload-artifact",
        ] {
            #expect(actions.contains(action), "no \(action) step")
        }
        let upload = steps.first { $0["uses"]?.stringValue?.hasPrefix("actions/upload-artifact") == true }
        #expect(upload?["with"]?["path"]?.stringValue?.contains("report.html") == true)
        let scripts = steps.compactMap { $0["run"]?.stringValue }.joined(separator: "\n")
        for command in ["presence-sim bench", "--junit", "--format md", "$GITHUB_STEP_SUMMARY"] {
            #expect(scripts.contains(command), "the workflow never runs \(command)")
        }
        #expect(scripts.contains("make -C .tools/presence-sim-src install PREFIX="))
    }

    @Test func theGitLabJobPublishesItsJUnitReport() throws {
        let job = try #require(try Self.recipes().gitlab["presence-sim"])
        #expect(job["image"]?.stringValue?.hasPrefix("swift:") == true)
        #expect(!Self.gitlabScript(try Self.recipes().gitlab).isEmpty)
        #expect(job["artifacts"]?["when"]?.stringValue == "always")
        #expect(job["artifacts"]?["reports"]?["junit"]?.stringValue == "reports/*.xml")
        #expect(job["cache"]?["paths"]?.arrayValue?.first?.stringValue == ".tools/presence-sim")
    }

    /// Each `presence-sim SUBCOMMAND --option ...` in a shell text, continuation lines joined.
    static func invocations(in text: String) -> [(subcommand: String, options: Set<String>)] {
        let operators: Set<String> = [">", ">>", "||", "&&", "|", ";", "#"]
        var found: [(String, Set<String>)] = []
        for line in text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            for (index, word) in words.enumerated() where word.hasSuffix("presence-sim") && index + 1 < words.count {
                let rest = words[(index + 1)...].prefix { !operators.contains($0) }
                guard let subcommand = rest.first, !subcommand.hasPrefix("-") else { continue }
                found.append((subcommand, Set(rest.filter { $0.hasPrefix("--") })))
            }
        }
        return found
    }

    @Test func theRecipesRunOnlyCommandsTheREADMEDocuments() throws {
        let (github, gitlab) = try Self.recipes()
        let readme = try read(repository.path + "/README.md")
        let shellBlocks = readme.components(separatedBy: "```sh\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
        var documented: [String: Set<String>] = [:]
        for (subcommand, options) in shellBlocks.flatMap(Self.invocations) {
            documented[subcommand, default: []].formUnion(options)
        }
        let recipes = Self.steps(github).compactMap { $0["run"]?.stringValue } + Self.gitlabScript(gitlab)
        let used = recipes.flatMap(Self.invocations)
        #expect(Set(used.map(\.subcommand)) == ["bench", "run", "compare"])
        for (subcommand, options) in used {
            let known = try #require(documented[subcommand], "the README shows no `presence-sim \(subcommand)`")
            #expect(options.isSubset(of: known), "README lacks \(options.subtracting(known)) for \(subcommand)")
            let help = try presenceSim([subcommand, "--help"]).stdout
            for option in options { #expect(help.contains(option), "`\(subcommand)` has no \(option)") }
        }
    }

    /// The recipes' commands in a repository laid out as docs/ci.md says, with the built binary.
    @Test func theRecipesCommandsWorkHere() throws {
        let (github, gitlab) = try Self.recipes()
        let folder = URL(fileURLWithPath: temporaryFolder())
        let environment = [
            "PATH": binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
            "GITHUB_STEP_SUMMARY": folder.path + "/summary.md",
        ]
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let setUp = [
            "presence-sim init --design ttl-entries --out scenarios/chat.json",
            "presence-sim run scenarios/chat.json --engine events --out reports/chat --quiet",
            "mkdir -p baselines && cp reports/chat/report.json baselines/chat.json && rm -r reports",
        ]
        for command in setUp {
            let result = try external("bash", ["-ec", command], in: folder, environment: environment)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        let steps = Self.commandSteps(github)
        #expect(steps.count == 3)
        for script in steps {
            // GitHub's default shell: bash --noprofile --norc -eo pipefail.
            let result = try external(
                "bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], in: folder,
                environment: environment)
            #expect(result.status == 0, "\(script)\n\(result.stdout)\(result.stderr)")
        }
        let summary = try read(folder.path + "/summary.md")
        #expect(summary.contains("| metric | baseline | current | change | verdict |"))
        #expect(summary.contains("0 regressed"))
        let junitFiles = ["bench.xml", "chat.xml", "compare.xml"].map { folder.path + "/reports/" + $0 }
        if xmllintAvailable { for file in junitFiles { try expectValidJUnit(file) } }

        try FileManager.default.removeItem(at: folder.appendingPathComponent("reports"))
        let script = Self.gitlabScript(gitlab).joined(separator: "\n")
        let result = try external("bash", ["-ec", script], in: folder, environment: environment)
        #expect(result.status == 0, "\(script)\n\(result.stdout)\(result.stderr)")
        for file in ["bench.xml", "chat.xml", "compare.xml", "compare.md"] {
            #expect(FileManager.default.fileExists(atPath: folder.path + "/reports/" + file), "no \(file)")
        }
    }
}
