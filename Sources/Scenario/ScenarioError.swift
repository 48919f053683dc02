/// One problem in a scenario file: where it is, what was expected and what was found.
///
/// ```
/// family.json: protocol.heartbeat: expected a duration with a unit like "20s" or "250ms", found the number 20
///   hint: durations are strings with a unit: write "20s" for 20 seconds
/// ```
/// Syntax errors and duplicate keys also carry a line and column: `family.json:3:15: expected ',' or '}' ...`.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// The JSON path of the value at fault (`protocol.heartbeat`, `faults[2].at`); empty for the whole file.
    public var path: String
    /// What was expected and what was found.
    public var message: String
    /// How to fix it, when there is something useful to say.
    public var hint: String?
    /// The 1-based line and column, for errors found while reading the JSON text itself.
    public var line: Int?
    public var column: Int?
    /// Where the error sits in the file, in bytes: the sort key that keeps errors in file order.
    var offset: Int

    public init(
        file: String, path: String, message: String, hint: String? = nil, line: Int? = nil, column: Int? = nil
    ) {
        self.init(file: file, path: path, message: message, hint: hint, line: line, column: column, offset: 0)
    }

    init(file: String, path: String, message: String, hint: String?, line: Int?, column: Int?, offset: Int) {
        self.file = file
        self.path = path
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// `file[:line:column]: [path: ]message`, then `  hint: ...` on a second line when there is a hint.
    public var description: String {
        var text = file
        if let line, let column { text += ":\(line):\(column)" }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        text += message
        if let hint { text += "\n  hint: " + hint }
        return text
    }
}

/// Every problem found in a scenario file, in the order they appear in the file.
public struct ScenarioErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ScenarioError]

    /// Keeps the errors sorted by their place in the file (errors at the same place keep their order).
    public init(_ errors: [ScenarioError]) {
        self.errors = errors.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }
            .map(\.element)
    }

    /// One error per line (a hint adds an indented line under its error).
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
