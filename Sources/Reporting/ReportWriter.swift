import Foundation
import Scenario

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes report files atomically: each goes to a temporary file in the same folder and is renamed into
/// place, so a crash or a full disk never leaves a truncated report behind.
///
/// Several processes MAY write into the same folder at once (two sweeps with the same `--out`): every
/// writer uses its own temporary names, and the files of one report (report.json, .md and .html, or
/// sweep.json, .md and .html) are renamed into place while the writer holds an advisory lock (`flock`) on
/// the folder. So the last writer wins, with whole files only, and the files of a set always come from
/// the same writer. Nothing is left behind but the reports.
public enum ReportWriter {
    /// Writes report.json, report.md and report.html into `directory`; returns their paths.
    public static func write(_ report: RunReport, to directory: String) throws -> [String] {
        try write(
            [
                ("report.json", jsonBytes(report)),
                ("report.md", Array(MarkdownRenderer.render(report).utf8)),
                ("report.html", Array(HTMLRenderer.render(report).utf8)),
            ], in: directory)
    }

    /// Writes only the JSON report, atomically, at `path`.
    public static func writeJSON(_ report: RunReport, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try write(jsonBytes(report), named: url.lastPathComponent, in: url.deletingLastPathComponent().path)
    }

    /// Writes one file atomically; returns its path, in the form `directory` was given.
    @discardableResult
    public static func write(_ bytes: [UInt8], named name: String, in directory: String) throws -> String {
        try write([(name, bytes)], in: directory)[0]
    }

    /// Writes a set of files that belong together: every file is written to a temporary file first, then
    /// all are renamed into place under the folder's lock. Returns their paths, in the form `directory` was
    /// given.
    public static func write(_ files: [(name: String, bytes: [UInt8])], in directory: String) throws -> [String] {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        try createFolder(folder)
        var temporaries: [(temporary: URL, target: URL)] = []
        defer {
            for (temporary, _) in temporaries { unlink(temporary.path) }
        }
        for (name, bytes) in files {
            let temporary = folder.appendingPathComponent(".\(name).\(temporarySuffix()).tmp")
            temporaries.append((temporary, folder.appendingPathComponent(name)))
            do {
                try Data(bytes).write(to: temporary)
            } catch {
                throw ReportWriteError(path: folder.appendingPathComponent(name).path, reason: reason(of: error))
            }
        }
        try withLock(on: folder) {
            for (temporary, target) in temporaries where rename(temporary.path, target.path) != 0 {
                throw ReportWriteError(path: target.path, reason: String(cString: strerror(errno)))
            }
        }
        return files.map { directory.hasSuffix("/") ? directory + $0.name : directory + "/" + $0.name }
    }

    private static func jsonBytes(_ report: RunReport) -> [UInt8] {
        var json: [UInt8] = []
        report.json.write(to: &json)
        json.append(UInt8(ascii: "\n"))
        return json
    }

    /// Creates the folder and its parents; another writer creating it at the same moment is no error.
    private static func createFolder(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw ReportWriteError(path: folder.path, reason: reason(of: error)) }
        }
    }

    /// A name part no other writer uses: the process id and 64 random bits.
    private static func temporarySuffix() -> String {
        "\(ProcessInfo.processInfo.processIdentifier).\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Runs `body` while holding an exclusive `flock` on `folder`. Where the folder cannot be locked (a
    /// file system without `flock`), `body` still runs: each file is then still whole, but a set may mix
    /// two writers' files.
    private static func withLock(on folder: URL, _ body: () throws -> Void) throws {
        let descriptor = open(folder.path, O_RDONLY)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        var locked = flock(descriptor, LOCK_EX)
        while locked != 0 && errno == EINTR { locked = flock(descriptor, LOCK_EX) }
        defer { if locked == 0 { flock(descriptor, LOCK_UN) } }
        try body()
    }

    private static func reason(of error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(code)))
        }
        return error.localizedDescription
    }
}

public struct ReportWriteError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
