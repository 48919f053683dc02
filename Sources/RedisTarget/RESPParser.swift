import NIOCore

/// Why bytes received from a server are not valid RESP2, or exceed a ``RESPParser/Limits`` bound.
public enum RESPDecodingError: Error, Hashable, CustomStringConvertible {
    /// A value began with a byte that is none of `+ - : $ *`.
    case unknownType(UInt8)
    /// An integer reply, bulk string length or array count was not a decimal 64-bit integer.
    case invalidInteger(String)
    /// A bulk string length or array count was negative and not -1 (RESP2's nil).
    case invalidLength(Int64)
    /// A line did not end in CR LF, or a bulk string was not followed by CR LF.
    case missingCRLF
    /// A line (simple string, error, integer or header) was longer than the limit, in bytes.
    case lineTooLong(limit: Int)
    /// A bulk string announced more bytes than the limit.
    case bulkStringTooLong(length: Int64, limit: Int)
    /// An array announced more elements than the limit.
    case arrayTooLong(count: Int64, limit: Int)
    /// Arrays were nested deeper than the limit.
    case nestingTooDeep(limit: Int)

    public var description: String {
        switch self {
        case .unknownType(let byte):
            return "malformed RESP: unknown type byte 0x\(String(byte, radix: 16))"
        case .invalidInteger(let text):
            return "malformed RESP: '\(text)' is not a 64-bit integer"
        case .invalidLength(let length):
            return "malformed RESP: negative length \(length)"
        case .missingCRLF:
            return "malformed RESP: expected CR LF"
        case .lineTooLong(let limit):
            return "RESP line longer than \(limit) bytes"
        case .bulkStringTooLong(let length, let limit):
            return "RESP bulk string of \(length) bytes exceeds the limit of \(limit)"
        case .arrayTooLong(let count, let limit):
            return "RESP array of \(count) elements exceeds the limit of \(limit)"
        case .nestingTooDeep(let limit):
            return "RESP arrays nested deeper than \(limit)"
        }
    }
}

/// An incremental RESP2 parser: feed it bytes as they arrive and it returns each complete value.
///
/// The parser keeps the arrays it has started across calls, so a large array that arrives in many reads is
/// parsed once, not again from its start on every read. Malformed input and input past ``Limits`` throw a
/// ``RESPDecodingError``; after an error the stream has lost its framing and the connection MUST be closed.
public struct RESPParser: Sendable {
    /// Bounds on what the parser accepts, so that a broken or hostile stream cannot make it allocate without
    /// limit.
    public struct Limits: Sendable, Hashable {
        /// The longest bulk string accepted, in bytes. Default 512 MiB, Redis's own `proto-max-bulk-len`.
        public var maximumBulkStringLength: Int
        /// The most elements an array may announce. Default 16,777,216.
        public var maximumArrayCount: Int
        /// How deeply arrays may nest. Default 32; Redis's replies nest at most a few levels.
        public var maximumDepth: Int
        /// The longest simple string, error, integer or header line, in bytes, without its CR LF. Default 64 KiB.
        public var maximumLineLength: Int

        /// Limits with the given bounds; each defaults to the value documented on its property.
        public init(
            maximumBulkStringLength: Int = 512 * 1024 * 1024,
            maximumArrayCount: Int = 1 << 24,
            maximumDepth: Int = 32,
            maximumLineLength: Int = 64 * 1024
        ) {
            self.maximumBulkStringLength = maximumBulkStringLength
            self.maximumArrayCount = maximumArrayCount
            self.maximumDepth = maximumDepth
            self.maximumLineLength = maximumLineLength
        }
    }

    /// An array whose header has been read and some of whose elements have not.
    private struct PartialArray: Sendable {
        var remaining: Int
        var elements: [RESPValue]
    }

    /// What one header or scalar on the wire amounts to.
    private enum Element {
        case value(RESPValue)
        case arrayStart(count: Int)
    }

    /// The bounds this parser enforces.
    public let limits: Limits
    private var openArrays: [PartialArray] = []

    /// A parser with nothing read yet.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Reads the next complete value from `buffer`, or returns nil when `buffer` ends inside a value.
    ///
    /// On nil, the complete elements of any array started so far have been consumed into the parser and the
    /// rest stays in `buffer`: call again with the same buffer once more bytes have been appended to it.
    public mutating func next(from buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        while let element = try self.readElement(from: &buffer) {
            var completed: RESPValue
            switch element {
            case .arrayStart(let count) where count > 0:
                guard self.openArrays.count < self.limits.maximumDepth else {
                    throw .nestingTooDeep(limit: self.limits.maximumDepth)
                }
                // Capacity grows with the elements that actually arrive, not with the announced count.
                var elements: [RESPValue] = []
                elements.reserveCapacity(min(count, 1024))
                self.openArrays.append(PartialArray(remaining: count, elements: elements))
                continue
            case .arrayStart:
                completed = .array([])
            case .value(let value):
                completed = value
            }
            while let last = self.openArrays.indices.last {
                self.openArrays[last].elements.append(completed)
                self.openArrays[last].remaining -= 1
                guard self.openArrays[last].remaining == 0 else { break }
                completed = .array(self.openArrays.removeLast().elements)
            }
            if self.openArrays.isEmpty {
                return completed
            }
        }
        return nil
    }

    /// Reads one scalar value or array header, or nothing if `buffer` does not hold all of it.
    private func readElement(from buffer: inout ByteBuffer) throws(RESPDecodingError) -> Element? {
        guard let lineLength = try self.lineLength(in: buffer) else {
            return nil
        }
        let start = buffer.readerIndex
        let headerLength = 1 + lineLength + 2
        let type = buffer.getInteger(at: start, as: UInt8.self)!
        switch type {
        case UInt8(ascii: "+"):
            let text = buffer.getString(at: start + 1, length: lineLength)!
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.simpleString(text))
        case UInt8(ascii: "-"):
            let text = buffer.getString(at: start + 1, length: lineLength)!
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.error(text))
        case UInt8(ascii: ":"):
            let value = try Self.integer(in: buffer, at: start + 1, length: lineLength)
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.integer(value))
        case UInt8(ascii: "$"):
            let length = try Self.integer(in: buffer, at: start + 1, length: lineLength)
            if length == -1 {
                buffer.moveReaderIndex(forwardBy: headerLength)
                return .value(.bulkString(nil))
            }
            guard length >= 0 else {
                throw .invalidLength(length)
            }
            guard length <= self.limits.maximumBulkStringLength else {
                throw .bulkStringTooLong(length: length, limit: self.limits.maximumBulkStringLength)
            }
            let byteCount = Int(length)
            guard buffer.readableBytes >= headerLength + byteCount + 2 else {
                return nil
            }
            let end = start + headerLength + byteCount
            guard buffer.getInteger(at: end, as: UInt16.self) == Self.crlf else {
                throw .missingCRLF
            }
            // A copy, not a slice: a slice would share the receive buffer's storage, and then every read
            // appended to that buffer while a large reply is parsed would copy all of it.
            let bytes = ByteBuffer(bytes: buffer.readableBytesView.dropFirst(headerLength).prefix(byteCount))
            buffer.moveReaderIndex(forwardBy: headerLength + byteCount + 2)
            return .value(.bulkString(bytes))
        case UInt8(ascii: "*"):
            let count = try Self.integer(in: buffer, at: start + 1, length: lineLength)
            if count == -1 {
                buffer.moveReaderIndex(forwardBy: headerLength)
                return .value(.array(nil))
            }
            guard count >= 0 else {
                throw .invalidLength(count)
            }
            guard count <= self.limits.maximumArrayCount else {
                throw .arrayTooLong(count: count, limit: self.limits.maximumArrayCount)
            }
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .arrayStart(count: Int(count))
        default:
            throw .unknownType(type)
        }
    }

    /// CR LF as a big-endian `UInt16`, ByteBuffer's default byte order.
    private static let crlf: UInt16 = 0x0D0A

    /// The length of the line that starts after the type byte at the reader index, without its CR LF; nil if
    /// the buffer does not hold the whole line yet.
    private func lineLength(in buffer: ByteBuffer) throws(RESPDecodingError) -> Int? {
        let limit = self.limits.maximumLineLength
        // The type byte, at most `limit` bytes of line, then CR LF.
        let searched = min(buffer.readableBytes, 1 + limit + 2)
        let newline = buffer.withUnsafeReadableBytes { bytes in
            bytes[0..<searched].firstIndex(of: UInt8(ascii: "\n"))
        }
        guard let newline else {
            if searched == 1 + limit + 2 {
                throw .lineTooLong(limit: limit)
            }
            return nil
        }
        // The line holds no CR of its own, and its LF follows a CR.
        let carriageReturn = buffer.withUnsafeReadableBytes { bytes in
            bytes[0..<newline].firstIndex(of: UInt8(ascii: "\r"))
        }
        guard newline >= 2, carriageReturn == newline - 1 else {
            throw .missingCRLF
        }
        return newline - 2
    }

    /// The decimal integer of `length` bytes at `index`: an optional minus sign and at least one digit.
    private static func integer(
        in buffer: ByteBuffer,
        at index: Int,
        length: Int
    ) throws(RESPDecodingError) -> Int64 {
        let value: Int64? = buffer.withUnsafeReadableBytes { bytes in
            let offset = index - buffer.readerIndex
            var digits = bytes[offset..<(offset + length)]
            let negative = digits.first == UInt8(ascii: "-")
            if negative {
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty else {
                return nil
            }
            var value: Int64 = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    return nil
                }
                let digit = Int64(byte - UInt8(ascii: "0"))
                let (shifted, overflowedShift) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowedAdd) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflowedShift, !overflowedAdd else {
                    return nil
                }
                value = next
            }
            return value
        }
        guard let value else {
            throw .invalidInteger(String(buffer.getString(at: index, length: min(length, 40))!))
        }
        return value
    }
}

/// Splits the bytes a server sends into ``RESPValue``s for the channel handlers after it.
struct RESPValueDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    private var parser: RESPParser

    init(limits: RESPParser.Limits) {
        self.parser = RESPParser(limits: limits)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try self.parser.next(from: &buffer) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }
}
