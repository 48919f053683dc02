/// Deterministic JSON output: the same value always gives the same bytes.
///
/// - Objects are written with their keys in stored order; nothing is sorted or deduplicated.
/// - Whole numbers with a magnitude below 10^17 are written without a fraction (`20`, not `20.0`); other
///   finite numbers in Swift's shortest round-trip form (`0.005`, `1e+20`); NaN and infinities as `null`,
///   since JSON has no spelling for them.
/// - Strings are escaped per RFC 8259: `"` and `\` and the control characters U+0000–U+001F (with the
///   short forms `\b \f \n \r \t`); everything else, `/` and non-ASCII included, is written as UTF-8.
/// - Pretty output indents by two spaces, puts every member and element on its own line, writes empty
///   containers as `{}` and `[]`, and ends without a newline.
extension JSONValue {
    public enum Style: Sendable {
        /// Two-space indentation, one member or element per line, `"key": value`.
        case pretty
        /// No whitespace at all.
        case compact
    }

    /// The JSON text of this value.
    public func serialized(_ style: Style = .pretty) -> String {
        var bytes: [UInt8] = []
        write(to: &bytes, style: style)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the UTF-8 JSON text of this value to `bytes`: the fast path for large documents.
    public func write(to bytes: inout [UInt8], style: Style = .pretty) {
        var writer = JSONWriter(bytes: bytes, pretty: style == .pretty)
        bytes = []  // keep a single reference so appends do not copy
        writer.write(self, depth: 0)
        bytes = writer.bytes
    }

    /// The text a number is written as (also used in error messages).
    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), value.magnitude < 1e17 { return String(Int64(value)) }
        return value.description
    }
}

private struct JSONWriter {
    var bytes: [UInt8]
    let pretty: Bool

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): writeNumber(number)
        case .bigInteger(let literal): append(Self.isCanonicalInteger(literal) ? literal : "null")
        case .string(let text): writeString(text)
        case .array(let elements):
            guard !elements.isEmpty else { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                if pretty { bytes.append(UInt8(ascii: " ")) }
                write(member.value, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers are written digit by digit (the common case in reports); others via `description`.
    private mutating func writeNumber(_ number: Double) {
        guard number == number.rounded(), number.magnitude < 1e17 else {
            return append(JSONValue.numberText(number))
        }
        var magnitude = UInt64(number.magnitude)
        if number < 0 && magnitude != 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64) = (0, 0)  // up to 17 digits, stored as bytes in two words
        var count = 0
        repeat {
            let digit = UInt64(UInt8(ascii: "0")) + magnitude % 10
            if count < 8 {
                digits.0 |= digit << (8 * UInt64(count))
            } else {
                digits.1 |= digit << (8 * UInt64(count - 8))
            }
            magnitude /= 10
            count += 1
        } while magnitude > 0 && count < 16
        if magnitude > 0 { return append(JSONValue.numberText(number)) }
        for index in stride(from: count - 1, through: 0, by: -1) {
            let word = index < 8 ? digits.0 : digits.1
            bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8))))
        }
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A newline and the indentation of the deepest level so far, sliced per level.
    var indentation: [UInt8] = [UInt8(ascii: "\n")]

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        while indentation.count < 1 + 2 * depth { indentation.append(UInt8(ascii: " ")) }
        bytes.append(contentsOf: indentation[0..<1 + 2 * depth])
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        let plain = text.withUTF8 { utf8 in
            // The common case: nothing to escape, copy in one go.
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A ``JSONValue/bigInteger(_:)`` built by hand could hold anything; only valid integers are written.
    private static func isCanonicalInteger(_ literal: String) -> Bool {
        var digits = Substring(literal)
        if digits.first == "-" { digits = digits.dropFirst() }
        guard let first = digits.first, first.isASCII, first.isNumber else { return false }
        if first == "0" && digits.count > 1 { return false }
        return digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
