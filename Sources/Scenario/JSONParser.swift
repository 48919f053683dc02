/// A syntax error in a JSON text, with the 1-based line and column (in Unicode scalars) where it is.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public var line: Int
    public var column: Int
    /// The byte offset of the error.
    public var offset: Int

    /// `3:15: expected ',' or '}' ...`, plus a hint line when there is one.
    public var description: String {
        "\(line):\(column): \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}

extension JSONValue {
    /// The nesting depth the parser accepts by default: far beyond any scenario or report.
    public static let defaultMaximumDepth = 64

    /// Parses a complete JSON text strictly (RFC 8259): no comments, no trailing commas, no duplicate
    /// keys, valid UTF-8 only (a leading byte-order mark is skipped), at most `maximumDepth` levels of
    /// nesting. Never recurses deeper than `maximumDepth`, whatever the input.
    public static func parse(
        _ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth, recordPositions: false)
        let value = try parser.parseDocument()
        if let duplicate = parser.duplicates.first { throw parser.syntaxError(for: duplicate) }
        return value
    }

    /// Parses a complete JSON text; see the `[UInt8]` form.
    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONSyntaxError)
        -> JSONValue
    {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }
}

/// The strict recursive-descent parser behind `JSONValue.parse`.
///
/// Duplicate keys do not stop parsing: they are collected (the first occurrence wins) so that the
/// scenario reader can report them together with every other error. With `recordPositions`, the byte
/// offset of every value (of its key, for object members) is kept by path, to sort and place errors.
struct JSONParser {
    struct Duplicate {
        var path: JSONPath
        var offset: Int
        var firstOffset: Int
    }

    /// Duplicates reported at most; later ones are still dropped, silently (hostile input stays fast).
    static let maximumDuplicates = 100

    let bytes: [UInt8]
    let maximumDepth: Int
    let recordPositions: Bool
    private(set) var duplicates: [Duplicate] = []
    private(set) var positions: [String: Int] = [:]
    private var index = 0
    private var path: [JSONPath.Component] = []

    init(bytes: [UInt8], maximumDepth: Int, recordPositions: Bool) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.recordPositions = recordPositions
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count else {
            throw error("the file is empty; expected a JSON value", at: index)
        }
        record()
        let value = try parseValue(depth: 1)
        skipWhitespace()
        guard index == bytes.count else {
            throw error(
                "expected the end of the file after the top-level value, found \(describeToken(at: index))",
                hint: "a JSON file holds exactly one value; is a ',' or a bracket misplaced?", at: index)
        }
        return value
    }

    func syntaxError(for duplicate: Duplicate) -> JSONSyntaxError {
        let first = location(of: duplicate.firstOffset)
        return error(
            "\(duplicate.path): duplicate key \"\(duplicate.path.lastKey ?? "")\"; the first one is at "
                + "line \(first.line), column \(first.column)", at: duplicate.offset)
    }

    /// The 1-based line and column (counted in Unicode scalars) of a byte offset.
    func location(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var position = 0
        let end = min(offset, bytes.count)
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        return (line, column)
    }

    func error(_ message: String, hint: String? = nil, at offset: Int) -> JSONSyntaxError {
        let (line, column) = location(of: offset)
        return JSONSyntaxError(message: message, hint: hint, line: line, column: column, offset: offset)
    }

    // MARK: - Values

    private mutating func record() {
        guard recordPositions else { return }
        let key = JSONPath.describe(path[...])
        if positions[key] == nil { positions[key] = index }
    }

    /// `depth` counts the containers (objects and arrays) this value would be nested in, itself included.
    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("expected a value, found the end of the file", at: index) }
        if depth > maximumDepth, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") {
            throw error(
                "the document nests deeper than \(maximumDepth) levels", hint: "nothing in a scenario nests this deep",
                at: index)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: return try parseLiteral()
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        let open = index
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        // Offsets of the members' keys; a dictionary only for large objects (small ones search linearly).
        var keyOffsets: [Int] = []
        var indexByKey: [String: Int]? = nil
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return .object([])
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw expectedKey(afterComma: true) }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                throw error(
                    "expected ':' after the key \"\(key)\", found \(describeToken(at: index))", at: index)
            }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            let firstOffset: Int?
            if let indexByKey {
                firstOffset = indexByKey[key].map { keyOffsets[$0] }
            } else {
                firstOffset = members.firstIndex { $0.key == key }.map { keyOffsets[$0] }
            }
            if firstOffset == nil {
                if recordPositions {
                    let saved = index
                    index = keyOffset
                    record()
                    index = saved
                }
            }
            let value = try parseValue(depth: depth + 1)
            if let firstOffset, duplicates.count < Self.maximumDuplicates {
                duplicates.append(
                    Duplicate(path: JSONPath(components: path), offset: keyOffset, firstOffset: firstOffset))
            } else if firstOffset == nil {
                indexByKey?[key] = members.count
                members.append((key: key, value: value))
                keyOffsets.append(keyOffset)
                if indexByKey == nil, members.count > 32 {
                    indexByKey = Dictionary(
                        members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
                }
            }
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                let found = describeToken(at: index)
                let hint: String? =
                    peek == UInt8(ascii: "\"")
                    ? "a ',' is missing between two members"
                    : peek == nil
                        ? "the '{' at line \(location(of: open).line) is never closed" : nil
                throw error(
                    "expected ',' or '}' after the value of \"\(key)\", found \(found)", hint: hint, at: index)
            }
        }
    }

    private func expectedKey(afterComma: Bool) -> JSONSyntaxError {
        let found = describeToken(at: index)
        var hint: String? = nil
        if afterComma, peek == UInt8(ascii: "}") {
            hint = "JSON does not allow a trailing comma: remove the ',' before the '}'"
        } else if peek == UInt8(ascii: "'") {
            hint = "JSON keys and strings use double quotes"
        } else if peek == UInt8(ascii: "/") {
            hint = "JSON does not allow comments"
        } else if let scalar = peek.map(Unicode.Scalar.init), scalar.isASCIILetter || scalar == "_" {
            hint = "keys need double quotes: \"\(word(at: index))\""
        }
        return error("expected a key in double quotes, found \(found)", hint: hint, at: index)
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        let open = index
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        while true {
            skipWhitespace()
            if !elements.isEmpty, peek == UInt8(ascii: "]") {
                throw error(
                    "expected a value after ',', found ']'",
                    hint: "JSON does not allow a trailing comma: remove the ',' before the ']'", at: index)
            }
            path.append(.index(elements.count))
            record()
            elements.append(try parseValue(depth: depth + 1))
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                let hint: String? =
                    peek == nil ? "the '[' at line \(location(of: open).line) is never closed" : nil
                throw error(
                    "expected ',' or ']' after an array element, found \(describeToken(at: index))", hint: hint,
                    at: index)
            }
        }
    }

    private mutating func parseLiteral() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        let text = word(at: index)
        switch text {
        case "true":
            index += 4
            return .bool(true)
        case "false":
            index += 5
            return .bool(false)
        case "null":
            index += 4
            return .null
        default:
            var hint: String? = nil
            switch text.lowercased() {
            case "true", "false", "null", "none", "nil":
                hint = "JSON literals are lowercase: true, false, null"
            case "nan", "infinity", "inf":
                hint = "JSON has no NaN or Infinity"
            default:
                if peek == UInt8(ascii: "'") {
                    hint = "JSON strings use double quotes"
                } else if peek == UInt8(ascii: "/") {
                    hint = "JSON does not allow comments"
                } else if peek == UInt8(ascii: "+") || peek == UInt8(ascii: ".") {
                    hint = "JSON numbers start with a digit or '-': write 1 or 0.5"
                } else if !text.isEmpty {
                    hint = "strings need double quotes: \"\(text)\""
                }
            }
            throw error("expected a value, found \(describeToken(at: start))", hint: hint, at: start)
        }
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        var isInteger = true
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else {
            throw error(
                "expected a digit after '-', found \(describeToken(at: index))", at: index)
        }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek, isDigit(next) {
                throw error(
                    "numbers must not have leading zeros, found \(describeToken(at: start))",
                    hint: "JSON numbers start with 0 only when they are 0 or 0.x; remove the leading zeros",
                    at: start)
            }
        } else {
            skipDigits()
        }
        if peek == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let digit = peek, isDigit(digit) else {
                throw error("expected a digit after '.', found \(describeToken(at: index))", at: index)
            }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, isDigit(digit) else {
                throw error("expected a digit in the exponent, found \(describeToken(at: index))", at: index)
            }
            skipDigits()
        }
        let digitCount = index - start - (bytes[start] == UInt8(ascii: "-") ? 1 : 0)
        if isInteger, digitCount <= 15 {
            // Exact in a Double: no text, no strtod.
            var magnitude: Int64 = 0
            for position in (bytes[start] == UInt8(ascii: "-") ? start + 1 : start)..<index {
                magnitude = magnitude * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            }
            return .number(bytes[start] == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude))
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, digitCount >= 16 {
            let magnitude = text.hasPrefix("-") ? String(text.dropFirst()) : text
            // Beyond 2^53 a Double rounds: keep the literal.
            if magnitude.count > 16 || magnitude > "9007199254740992" { return .bigInteger(text) }
        }
        guard let value = Double(text), value.isFinite else {
            throw error("the number \(text) is too large for a 64-bit floating-point value", at: start)
        }
        return .number(value)
    }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    // MARK: - Strings

    /// Parses a string starting at the opening quote; the text must be valid UTF-8.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = index
        index += 1
        // Fast path: plain ASCII up to the closing quote, decoded in one go.
        var end = index
        while end < bytes.count, bytes[end] >= 0x20, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "\""),
            bytes[end] != UInt8(ascii: "\\")
        {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 1
            return text
        }
        var utf8 = Array(bytes[index..<end])
        index = end
        while true {
            guard let byte = peek else {
                throw error(
                    "the string that starts at line \(location(of: open).line), column \(location(of: open).column) "
                        + "is never closed", at: index)
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw error(
                    "a control character (U+\(hex(UInt32(byte), width: 4))) must be escaped inside a string",
                    hint: byte == 0x0A ? "a string cannot span lines; write \\n, or is a closing '\"' missing?" : nil,
                    at: index)
            case 0..<0x80:
                utf8.append(byte)
                index += 1
            default:
                let length = validUTF8Length(at: index)
                guard length > 0 else {
                    throw error(
                        "the byte 0x\(hex(UInt32(byte), width: 2)) is not valid UTF-8",
                        hint: "save the file as UTF-8", at: index)
                }
                utf8.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        let start = index
        index += 1
        guard let code = peek else { throw error("the string is never closed", at: index) }
        index += 1
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(code)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad(escapeStart: start)
            if (0xD800...0xDBFF).contains(scalar) {
                let low = index
                guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error(
                        "the escape \\u\(hex(scalar, width: 4)) is half of a surrogate pair; the low half is missing",
                        at: start)
                }
                index += 2
                let second = try hexQuad(escapeStart: low)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw error(
                        "the escape \\u\(hex(second, width: 4)) is not the low half of a surrogate pair", at: low)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (second - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error(
                    "the escape \\u\(hex(scalar, width: 4)) is a lone low surrogate", at: start)
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw error("the escape at this point is not a Unicode scalar", at: start)
            }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw error(
                "unknown escape \\\(describeByte(code)) in a string",
                hint: "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX; write \\\\ for a backslash",
                at: start)
        }
    }

    private mutating func hexQuad(escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = hexDigitValue(byte) else {
                throw error("expected four hex digits after \\u", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The length of the valid UTF-8 sequence (RFC 3629) starting at `offset`, or 0 when it is invalid.
    private func validUTF8Length(at offset: Int) -> Int {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: return 0
        }
        guard offset + length <= bytes.count, secondRange.contains(bytes[offset + 1]) else { return 0 }
        for position in offset + 2..<offset + length where !(0x80...0xBF).contains(bytes[position]) { return 0 }
        return length
    }

    // MARK: - Tokens

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek,
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
                || byte == UInt8(ascii: "\r")
        {
            index += 1
        }
    }

    /// The run of ASCII letters, digits and `_` at `offset` (at most 40 characters).
    private func word(at offset: Int) -> String {
        var end = offset
        while end < bytes.count, end - offset < 40, Unicode.Scalar(bytes[end]).isASCIIIdentifierCharacter { end += 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    /// What an error says it found at `offset`: `'}'`, `'True'`, `the end of the file`.
    func describeToken(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the file" }
        let byte = bytes[offset]
        if Unicode.Scalar(byte).isASCIIIdentifierCharacter || byte == UInt8(ascii: "-") {
            var end = offset + 1
            while end < bytes.count, end - offset < 40,
                Unicode.Scalar(bytes[end]).isASCIIIdentifierCharacter || bytes[end] == UInt8(ascii: ".")
                    || bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "-")
            {
                end += 1
            }
            return "'" + String(decoding: bytes[offset..<end], as: UTF8.self) + "'"
        }
        if byte >= 0x80 {
            let length = validUTF8Length(at: offset)
            guard length > 0 else { return "the byte 0x\(hex(UInt32(byte), width: 2)), which is not valid UTF-8" }
            return "'" + String(decoding: bytes[offset..<offset + length], as: UTF8.self) + "'"
        }
        return describeByte(byte)
    }

    private func describeByte(_ byte: UInt8) -> String {
        switch byte {
        case 0x21...0x7E: "'" + String(Character(Unicode.Scalar(byte))) + "'"
        default: "the character U+\(hex(UInt32(byte), width: 4))"
        }
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
