import Foundation

/// Reads scenario files into resolved ``Scenario`` values, or reports every error in them at once.
public enum ScenarioLoader {
    /// Larger files are refused unread: a scenario is a few kilobytes.
    public static let maximumFileSize = 16 << 20

    /// Reads, parses and validates the file at `path`; applies `overrides` to the raw JSON before
    /// validation, so that a sweep or `--set` can change any key.
    public static func load(path: String, overrides: [Override] = []) throws(ScenarioErrors) -> Scenario {
        let bytes = try read(path)
        return try load(bytes: bytes, file: path, overrides: overrides)
    }

    /// Parses and validates `bytes`; `file` names them in error messages.
    public static func load(bytes: [UInt8], file: String, overrides: [Override] = []) throws(ScenarioErrors)
        -> Scenario
    {
        try load(bytes: bytes, file: file, overrides: overrides, physicalMemory: ResourceEstimate.physicalMemory)
    }

    /// As ``load(bytes:file:overrides:)``, for a machine with `physicalMemory` bytes (tests use it).
    static func load(bytes: [UInt8], file: String, overrides: [Override], physicalMemory: UInt64)
        throws(ScenarioErrors) -> Scenario
    {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw ScenarioErrors([
                ScenarioError(
                    file: file, path: "", message: "the file is UTF-16; expected UTF-8 text", hint: "save it as UTF-8",
                    line: 1, column: 1, offset: 0)
            ])
        }
        var parser = JSONParser(bytes: bytes, maximumDepth: JSONValue.defaultMaximumDepth, recordPositions: true)
        var root: JSONValue
        do {
            root = try parser.parseDocument()
        } catch {
            var message = error.message
            if message.hasPrefix("the file is empty") {
                message = "the file is empty; expected a scenario, a JSON object like {\"name\": \"family-chat\", ...}"
            }
            let duplicates = parser.duplicates.map { duplicateError($0, parser: parser, file: file) }
            throw ScenarioErrors(
                duplicates + [
                    ScenarioError(
                        file: file, path: "", message: message, hint: error.hint, line: error.line,
                        column: error.column, offset: error.offset)
                ])
        }
        var errors = parser.duplicates.map { duplicateError($0, parser: parser, file: file) }

        let diagnostics = Diagnostics(file: file, positions: parser.positions)
        for override in overrides {
            switch JSONPath.parse(override.path) {
            case .failure(let failure):
                errors.append(overrideError(override, failure.message, diagnostics))
            case .success(let path):
                if case .failure(let failure) = root.set(override.value, at: path) {
                    errors.append(overrideError(override, failure.message, diagnostics))
                } else {
                    diagnostics.overridden.append((path, override.description))
                }
            }
        }

        let scenario = Validator(diagnostics: diagnostics).scenario(
            root, physicalMemory: physicalMemory, validatesSweep: true)
        errors += diagnostics.errors
        guard errors.isEmpty, let scenario else {
            throw ScenarioErrors(
                errors.isEmpty ? [ScenarioError(file: file, path: "", message: "the scenario is not valid")] : errors)
        }
        return scenario
    }

    private static func duplicateError(_ duplicate: JSONParser.Duplicate, parser: JSONParser, file: String)
        -> ScenarioError
    {
        let here = parser.location(of: duplicate.offset)
        let first = parser.location(of: duplicate.firstOffset)
        return ScenarioError(
            file: file, path: duplicate.path.description,
            message: "duplicate key '\(duplicate.path.lastKey ?? "")'; the first one is at line \(first.line), "
                + "column \(first.column)",
            hint: "JSON objects must not repeat a key; keep one of them", line: here.line, column: here.column,
            offset: duplicate.offset)
    }

    private static func overrideError(_ override: Override, _ message: String, _ diagnostics: Diagnostics)
        -> ScenarioError
    {
        ScenarioError(
            file: diagnostics.file, path: override.path, message: "--set \(override.description): \(message)",
            hint: nil, line: nil, column: nil, offset: 0)
    }

    /// The file's bytes, or an error that names it and says what is wrong.
    private static func read(_ path: String) throws(ScenarioErrors) -> [UInt8] {
        func failure(_ message: String, hint: String? = nil) -> ScenarioErrors {
            ScenarioErrors([ScenarioError(file: path, path: "", message: message, hint: hint)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file", hint: "check the path; the bundled scenarios are in Scenarios/")
        }
        guard !isDirectory.boolValue else {
            throw failure("is a directory, not a scenario file", hint: "name a .json file inside it")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.intValue > maximumFileSize
        {
            throw failure(
                "the file is \(ResourceEstimate.bytesText(size.doubleValue)); a scenario file is at most "
                    + ResourceEstimate.bytesText(Double(maximumFileSize)))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read the file", hint: "check its permissions")
        }
        return [UInt8](data)
    }
}
