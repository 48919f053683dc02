/// A place in a JSON document, written the way error messages and `--set` name it:
/// `protocol.heartbeat`, `faults[2].at`, `thresholds["staleness.offlineDetection.p99"]`.
///
/// A key that is not a plain identifier (letters, digits, `_`, not starting with a digit) is written in
/// brackets as a JSON string.
struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component]

    static let root = JSONPath(components: [])

    func appending(_ key: String) -> JSONPath { JSONPath(components: components + [.key(key)]) }
    func appending(index: Int) -> JSONPath { JSONPath(components: components + [.index(index)]) }

    /// The path without its last component (the root stays the root).
    var parent: JSONPath { JSONPath(components: Array(components.dropLast())) }

    var lastKey: String? {
        if case .key(let key) = components.last { return key }
        return nil
    }

    var description: String { Self.describe(components[...]) }

    static func describe(_ components: ArraySlice<Component>) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where isIdentifier(key):
                if !text.isEmpty { text += "." }
                text += key
            case .key(let key): text += "[" + JSONValue.string(key).serialized(.compact) + "]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { $0.isASCIIIdentifierCharacter }
    }

    /// Parses the `--set` and `sweep.set` form.
    ///
    /// Grammar: a first key, then any of `.key`, `[index]`, `["quoted key"]`. A plain key runs to the
    /// next `.` or `[`. Because metric names contain dots, everything after `thresholds.` is one key:
    /// `thresholds.cost.heartbeatsPerSecond` is `thresholds["cost.heartbeatsPerSecond"]`.
    static func parse(_ text: String) -> Result<JSONPath, PathSyntaxError> {
        let scalars = Array(text.unicodeScalars)
        var components: [Component] = []
        var position = 0

        func plainKey() -> String {
            let start = position
            while position < scalars.count, scalars[position] != ".", scalars[position] != "[" { position += 1 }
            var key = String.UnicodeScalarView()
            key.append(contentsOf: scalars[start..<position])
            return String(key)
        }

        guard !scalars.isEmpty else { return .failure(PathSyntaxError(message: "the key path is empty")) }
        while position < scalars.count || components.isEmpty {
            if components.isEmpty || scalars[position] == "." {
                if !components.isEmpty { position += 1 }
                if components == [.key("thresholds")], position < scalars.count, scalars[position] != "[" {
                    var key = String.UnicodeScalarView()
                    key.append(contentsOf: scalars[position...])
                    components.append(.key(String(key)))
                    break
                }
                let key = plainKey()
                guard !key.isEmpty else {
                    return .failure(PathSyntaxError(message: "a key is missing at character \(position + 1)"))
                }
                components.append(.key(key))
            } else if scalars[position] == "[" {
                position += 1
                guard let close = scalars[position...].firstIndex(of: "]") else {
                    return .failure(PathSyntaxError(message: "'[' at character \(position) is never closed"))
                }
                var inside = String.UnicodeScalarView()
                inside.append(contentsOf: scalars[position..<close])
                let body = String(inside)
                if body.hasPrefix("\""), case .string(let key)? = try? JSONValue.parse(body) {
                    components.append(.key(key))
                } else if let index = Int(body), index >= 0, body.unicodeScalars.allSatisfy({ $0.isASCIIDigit }) {
                    components.append(.index(index))
                } else {
                    return .failure(
                        PathSyntaxError(
                            message: "expected an index like [0] or a quoted key like [\"a.b\"], found [\(body)]")
                    )
                }
                position = close + 1
                if position < scalars.count, scalars[position] != ".", scalars[position] != "[" {
                    return .failure(
                        PathSyntaxError(message: "expected '.' or '[' after ']' at character \(position + 1)"))
                }
            } else {
                return .failure(PathSyntaxError(message: "unexpected character at \(position + 1)"))
            }
        }
        return .success(JSONPath(components: components))
    }
}

struct PathSyntaxError: Error {
    var message: String
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIIdentifierCharacter: Bool { isASCIILetter || isASCIIDigit || self == "_" }
}
