import NIOCore

/// A value of the Redis serialization protocol, version 2 (RESP2).
///
/// RESP2 has five kinds of value (https://redis.io/docs/latest/develop/reference/protocol-spec/): simple
/// strings, errors, integers, bulk strings and arrays. A bulk string and an array can each be nil, which is how
/// Redis 6 and 7 answer, for example, `GET` on a missing key (nil bulk string) and a timed-out `BLPOP` (nil
/// array) when the client speaks RESP2.
public enum RESPValue: Sendable, Hashable {
    /// A simple string such as `OK` or `PONG`. It MUST NOT contain CR or LF.
    case simpleString(String)
    /// An error reply such as `WRONGTYPE Operation against a key holding the wrong kind of value`. It MUST NOT
    /// contain CR or LF.
    case error(String)
    /// A signed 64-bit integer.
    case integer(Int64)
    /// A binary-safe string; nil is RESP2's null bulk string (`$-1`).
    case bulkString(ByteBuffer?)
    /// An array of values, possibly nested; nil is RESP2's null array (`*-1`).
    case array([RESPValue]?)

    /// A bulk string holding the UTF-8 bytes of `string`.
    public static func bulk(_ string: String) -> RESPValue {
        .bulkString(ByteBuffer(string: string))
    }

    /// The text of a simple string or a bulk string (decoded as UTF-8, invalid bytes replaced); nil otherwise,
    /// including for a nil bulk string.
    public var stringValue: String? {
        switch self {
        case .simpleString(let string):
            return string
        case .bulkString(let buffer?):
            return String(buffer: buffer)
        case .error, .integer, .bulkString(nil), .array:
            return nil
        }
    }

    /// The value of an integer reply, or of a simple or bulk string that holds a decimal integer; nil otherwise.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value):
            return value
        case .simpleString, .bulkString:
            return self.stringValue.flatMap { Int64($0) }
        case .error, .array:
            return nil
        }
    }

    /// The elements of a non-nil array; nil for any other value.
    public var arrayValue: [RESPValue]? {
        if case .array(let elements?) = self {
            return elements
        }
        return nil
    }

    /// Whether this is a nil bulk string or a nil array.
    public var isNil: Bool {
        switch self {
        case .bulkString(nil), .array(nil):
            return true
        case .simpleString, .error, .integer, .bulkString, .array:
            return false
        }
    }

    /// Appends the RESP2 encoding of this value to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .simpleString(let string):
            buffer.writeInteger(UInt8(ascii: "+"))
            buffer.writeString(string)
            buffer.writeStaticString("\r\n")
        case .error(let message):
            buffer.writeInteger(UInt8(ascii: "-"))
            buffer.writeString(message)
            buffer.writeStaticString("\r\n")
        case .integer(let value):
            buffer.writeInteger(UInt8(ascii: ":"))
            buffer.writeString(String(value))
            buffer.writeStaticString("\r\n")
        case .bulkString(nil):
            buffer.writeStaticString("$-1\r\n")
        case .bulkString(var bytes?):
            buffer.writeInteger(UInt8(ascii: "$"))
            buffer.writeString(String(bytes.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeBuffer(&bytes)
            buffer.writeStaticString("\r\n")
        case .array(nil):
            buffer.writeStaticString("*-1\r\n")
        case .array(let elements?):
            buffer.writeInteger(UInt8(ascii: "*"))
            buffer.writeString(String(elements.count))
            buffer.writeStaticString("\r\n")
            for element in elements {
                element.encode(into: &buffer)
            }
        }
    }
}

/// Encodes commands the way Redis clients send them: an array of bulk strings.
public enum RESPCommandEncoder {
    /// Appends `command` (name first, then its arguments) to `buffer` as a RESP2 array of bulk strings.
    ///
    /// The arguments are sent as their UTF-8 bytes, so any string, including one with CR, LF or NUL, is sent
    /// intact.
    public static func encode(_ command: [String], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        buffer.writeString(String(command.count))
        buffer.writeStaticString("\r\n")
        for argument in command {
            buffer.writeInteger(UInt8(ascii: "$"))
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }
}

extension RESPValue: CustomStringConvertible {
    /// The value as `redis-cli` shows it, on one line: `OK`, `(error) ERR ...`, `(integer) 5`, `"text"`,
    /// `(nil)`, and arrays as `[a, b]`.
    public var description: String {
        switch self {
        case .simpleString(let string):
            return string
        case .error(let message):
            return "(error) \(message)"
        case .integer(let value):
            return "(integer) \(value)"
        case .bulkString(let buffer?):
            return "\"\(String(buffer: buffer))\""
        case .bulkString(nil), .array(nil):
            return "(nil)"
        case .array(let elements?):
            return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
