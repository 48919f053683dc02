import NIOCore
import RedisTarget
import Testing

@Suite("RESP2 codec")
struct RESPParserTests {
    /// Every value read back from `bytes`, fed in chunks of `chunkSize` bytes.
    private func decodeAll(_ bytes: [UInt8], chunkSize: Int, limits: RESPParser.Limits = .init()) throws -> [RESPValue]
    {
        var parser = RESPParser(limits: limits)
        var buffer = ByteBuffer()
        var values: [RESPValue] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while let value = try parser.next(from: &buffer) {
                values.append(value)
            }
        }
        #expect(buffer.readableBytes == 0)
        return values
    }

    private func decodeError(_ text: String, limits: RESPParser.Limits = .init()) -> RESPDecodingError? {
        var parser = RESPParser(limits: limits)
        var buffer = ByteBuffer(string: text)
        do {
            while try parser.next(from: &buffer) != nil {}
            return nil
        } catch {
            return error
        }
    }

    private func encoded(_ values: [RESPValue]) -> [UInt8] {
        var buffer = ByteBuffer()
        for value in values {
            value.encode(into: &buffer)
        }
        return Array(buffer.readableBytesView)
    }

    static let samples: [RESPValue] = [
        .simpleString("OK"),
        .simpleString(""),
        .error("WRONGTYPE Operation against a key holding the wrong kind of value"),
        .integer(0),
        .integer(Int64.max),
        .integer(Int64.min),
        .bulkString(nil),
        .bulk(""),
        .bulk("with\r\nCR LF and \u{0} NUL inside"),
        .bulk("ünïcödé"),
        .array(nil),
        .array([]),
        .array([.integer(1), .bulk("two"), .array([.simpleString("three"), .array([]), .bulkString(nil)])]),
        .array([.array([.array([.array([.integer(4)])])]), .array(nil)]),
    ]

    @Test("every kind of value reads back as written, whole and one byte at a time")
    func roundTrip() throws {
        let bytes = self.encoded(Self.samples)
        for chunkSize in [1, 2, 3, 7, 64, bytes.count] {
            #expect(try self.decodeAll(bytes, chunkSize: chunkSize) == Self.samples)
        }
    }

    @Test("a command is an array of bulk strings")
    func commandEncoding() {
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SET", "k", "ü"], into: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nü\r\n")
    }

    @Test("a large array arriving in many chunks")
    func largeArray() throws {
        let members = (0..<100_000).map { RESPValue.bulk("member-\($0)") }
        let value = RESPValue.array(members)
        #expect(try self.decodeAll(self.encoded([value]), chunkSize: 1000) == [value])
    }

    @Test("a partial frame is kept until the rest arrives")
    func partialFrame() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "*2\r\n$5\r\nhel")
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("lo\r\n:4")
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("2\r\n+next")
        #expect(try parser.next(from: &buffer) == .array([.bulk("hello"), .integer(42)]))
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("\r\n")
        #expect(try parser.next(from: &buffer) == .simpleString("next"))
    }

    @Test(
        "malformed input is a typed error",
        arguments: [
            ("?x\r\n", RESPDecodingError.unknownType(UInt8(ascii: "?"))),
            (":12a\r\n", .invalidInteger("12a")),
            (":\r\n", .invalidInteger("")),
            (":-\r\n", .invalidInteger("-")),
            (":9223372036854775808\r\n", .invalidInteger("9223372036854775808")),
            ("$abc\r\n", .invalidInteger("abc")),
            ("$-2\r\n", .invalidLength(-2)),
            ("*-5\r\n", .invalidLength(-5)),
            ("$3\r\nabcd\r\n", .missingCRLF),
            ("+OK\n", .missingCRLF),
            ("+O\rK\r\n", .missingCRLF),
            ("\n", .missingCRLF),
        ]
    )
    func malformed(input: String, expected: RESPDecodingError) {
        #expect(self.decodeError(input) == expected)
    }

    @Test("sizes past the limits are refused before anything is allocated")
    func limits() {
        let limits = RESPParser.Limits(
            maximumBulkStringLength: 10,
            maximumArrayCount: 3,
            maximumDepth: 2,
            maximumLineLength: 8
        )
        #expect(self.decodeError("$11\r\n", limits: limits) == .bulkStringTooLong(length: 11, limit: 10))
        #expect(self.decodeError("$9223372036854775807\r\n") == .bulkStringTooLong(length: .max, limit: 512 << 20))
        #expect(self.decodeError("*4\r\n", limits: limits) == .arrayTooLong(count: 4, limit: 3))
        #expect(self.decodeError("*2000000000\r\n") == .arrayTooLong(count: 2_000_000_000, limit: 1 << 24))
        #expect(self.decodeError("*1\r\n*1\r\n*1\r\n", limits: limits) == .nestingTooDeep(limit: 2))
        #expect(self.decodeError("+123456789", limits: limits) == nil)
        #expect(self.decodeError("+1234567890A", limits: limits) == .lineTooLong(limit: 8))
        #expect(self.decodeError("*1\r\n*1\r\n:1\r\n", limits: limits) == nil)
    }

    @Test("a huge announced array that never arrives costs nothing up front")
    func announcedButAbsent() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "*16777216\r\n:1\r\n")
        #expect(try parser.next(from: &buffer) == nil)
        #expect(buffer.readableBytes == 0)
    }

    @Test("accessors read strings, integers and arrays")
    func accessors() {
        #expect(RESPValue.bulk("12").integerValue == 12)
        #expect(RESPValue.simpleString("OK").stringValue == "OK")
        #expect(RESPValue.bulkString(nil).stringValue == nil)
        #expect(RESPValue.bulkString(nil).isNil && RESPValue.array(nil).isNil && !RESPValue.array([]).isNil)
        #expect(RESPValue.array([.integer(1)]).arrayValue == [.integer(1)])
        #expect(RESPValue.error("ERR x").stringValue == nil)
        let nested = RESPValue.array([
            .simpleString("OK"), .error("ERR x"), .integer(5), .bulk("a b"), .bulkString(nil),
        ])
        #expect(nested.description == #"[OK, (error) ERR x, (integer) 5, "a b", (nil)]"#)
    }

    @Test("random bytes end in values, a wait for more, or a typed error: never a crash")
    func randomBytes() {
        let alphabet = Array("+-:$*\r\n0123456789-ab".utf8)
        var state: UInt64 = 0
        for seed in 0..<2000 {
            state = UInt64(seed)
            var bytes: [UInt8] = []
            for _ in 0..<(Int(Self.splitMix(&state) % 40)) {
                bytes.append(alphabet[Int(Self.splitMix(&state) % UInt64(alphabet.count))])
            }
            var parser = RESPParser(limits: RESPParser.Limits(maximumArrayCount: 100, maximumDepth: 4))
            var buffer = ByteBuffer(bytes: bytes)
            do {
                while try parser.next(from: &buffer) != nil {}
            } catch {
                // Any RESPDecodingError is an acceptable outcome for garbage.
            }
        }
    }

    /// SplitMix64 (Steele, Lea and Flood 2014), for repeatable random input.
    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
