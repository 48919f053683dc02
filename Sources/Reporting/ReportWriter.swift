import Foundation
import Scenario

/// Writes report files atomically: each goes to a temporary file in the same folder and is renamed into
/// place, so a crash or a full disk never leaves a truncated report behind.
public enum ReportWriter {
    /// Writes report.json, report.md and report.html into `directory`; returns their paths.
    public static func write(_ report: RunReport, to directory: String) throws -> [String] {
        try writeJSON(report, to: directory + "/report.json")
        return [
            directory + "/report.json",
            try write(Array(MarkdownRenderer.render(report).utf8), named: "report.md", in: directory),
            try write(Array(HTMLRenderer.render(report).utf8), named: "report.html", in: directory),
        ]
    }

    /// Writes only the JSON report, atomically, at `path`.
    public static func writeJSON(_ report: RunReport, to path: String) throws {
        var json: [UInt8] = []
        report.json.write(to: &json)
        json.append(UInt8(ascii: "\n"))
        let url = URL(fileURLWithPath: path)
        try write(json, named: url.lastPathComponent, in: url.deletingLastPathComponent().path)
    }

    /// Writes one file atomically; returns its path, in the form `directory` was given.
    @discardableResult
    public static func write(_ bytes: [UInt8], named name: String, in directory: String) throws -> String {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data(bytes).write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ReportWriteError(path: target.path, reason: reason)
        }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

public struct ReportWriteError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
