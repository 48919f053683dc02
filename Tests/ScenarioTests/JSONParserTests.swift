import Testing

@testable import Scenario

@Suite struct JSONParserTests {
    private func syntaxError(_ text: String) -> JSONSyntaxError? {
        do {
            let value = try JSONValue.parse(text)
            Issue.record("parsed \(text) as \(value)")
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#"{"a": null, "b": [true, false], "c": -12.5e1, "d": "x", "e": {}, "f": []}"#)
        #expect(value["a"] == .null)
        #expect(value["b"] == [true, false])
        #expect(value["c"] == .number(-125))
        #expect(value["d"] == "x")
        #expect(value["e"] == .object([]))
        #expect(value["f"] == .array([]))
    }

    @Test func objectsKeepKeyOrder() throws {
        let value = try JSONValue.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(value.objectValue?.map(\.key) == ["z", "a", "m"])
    }

    @Test func numbers() throws {
        #expect(try JSONValue.parse("0") == .number(0))
        #expect(try JSONValue.parse("-0") == .number(0))
        #expect(try JSONValue.parse("1E3") == .number(1000))
        #expect(try JSONValue.parse("2.5e-3") == .number(0.0025))
        #expect(try JSONValue.parse("1e300") == .number(1e300))
        #expect(try JSONValue.parse("9007199254740992") == .number(9_007_199_254_740_992))
        #expect(try JSONValue.parse("9007199254740993") == .bigInteger("9007199254740993"))
        #expect(try JSONValue.parse("18446744073709551615").uint64Value == UInt64.max)
        #expect(try JSONValue.parse("-9223372036854775808").int64Value == Int64.min)
        #expect(try JSONValue.parse("123456789012345678901234567890") == .bigInteger("123456789012345678901234567890"))
        #expect(syntaxError("1e400")?.message.contains("too large") == true)
        #expect(syntaxError("012")?.message.contains("leading zeros") == true)
        #expect(syntaxError("1.")?.message.contains("digit after '.'") == true)
        #expect(syntaxError("-")?.message.contains("digit after '-'") == true)
        #expect(syntaxError("1e")?.message.contains("exponent") == true)
        #expect(syntaxError("+1")?.hint?.contains("start with a digit") == true)
        #expect(syntaxError(".5")?.hint?.contains("0.5") == true)
        #expect(syntaxError("NaN")?.hint?.contains("no NaN") == true)
    }

    @Test func escapesAndUnicode() throws {
        let value = try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{C}\n\r\té€😀"))
        #expect(try JSONValue.parse("\"héllo wörld ✓\"") == "héllo wörld ✓")
        #expect(syntaxError(#""\ud83d""#)?.message.contains("surrogate") == true)
        #expect(syntaxError(#""\ude00""#)?.message.contains("lone low surrogate") == true)
        #expect(syntaxError(#""\x41""#)?.message.contains("unknown escape") == true)
        #expect(syntaxError(#""\u12G4""#)?.message.contains("four hex digits") == true)
        #expect(syntaxError("\"a\nb\"")?.message.contains("control character") == true)
    }

    @Test func invalidUTF8IsAnErrorWithItsPosition() throws {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
        ] {
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(bytes) }
        }
        do {
            _ = try JSONValue.parse([0x7B, 0x0A, 0x20, 0x22, 0x61, 0xE9, 0x22, 0x3A, 0x31, 0x7D])
            Issue.record("parsed invalid UTF-8")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 4)
            #expect(error.message.contains("0xE9"))
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let error = syntaxError("{\n  \"name\": \"a\"\n  \"duration\": \"1h\"\n}")
        #expect(error?.line == 3)
        #expect(error?.column == 3)
        #expect(error?.message == #"expected ',' or '}' after the value of "name", found '"'"#)
        #expect(error?.hint == "a ',' is missing between two members")
        #expect(error?.description.hasPrefix("3:3: expected ','") == true)
    }

    @Test func columnsCountCharactersNotBytes() {
        let error = syntaxError("{\"é€😀\": 1 x}")
        #expect(error?.line == 1)
        #expect(error?.column == 11)
    }

    @Test func trailingCommasAreRefusedWithAHint() {
        let object = syntaxError("{\"a\": 1,\n}")
        #expect(object?.line == 2 && object?.column == 1)
        #expect(object?.hint?.contains("trailing comma") == true)
        let array = syntaxError("[1, 2,]")
        #expect(array?.column == 7)
        #expect(array?.hint?.contains("trailing comma") == true)
    }

    @Test func commonMistakesGetHints() {
        #expect(syntaxError("{name: 1}")?.hint == "keys need double quotes: \"name\"")
        #expect(syntaxError("{'name': 1}")?.hint?.contains("double quotes") == true)
        #expect(syntaxError("{\"a\": True}")?.hint?.contains("lowercase") == true)
        #expect(syntaxError("{// x\n}")?.hint?.contains("comments") == true)
        #expect(syntaxError("{\"a\": 1} {}")?.message.contains("end of the file") == true)
        #expect(syntaxError("{\"a\" 1}")?.message.contains("expected ':'") == true)
        #expect(syntaxError("{\"a\": 1")?.hint?.contains("never closed") == true)
        #expect(syntaxError("\"abc")?.message.contains("never closed") == true)
        #expect(syntaxError("")?.message.contains("empty") == true)
        #expect(syntaxError("   \n ")?.message.contains("empty") == true)
    }

    @Test func duplicateKeysAreErrors() {
        let error = syntaxError("{\"a\": {\"b\": 1,\n \"b\": 2}}")
        #expect(error?.line == 2)
        #expect(error?.column == 2)
        #expect(error?.message.contains("a.b: duplicate key \"b\"; the first one is at line 1, column 8") == true)
    }

    @Test func largeObjectsKeepOrderAndFindDuplicates() throws {
        let keys = (0..<40).map { "k\($0)" }
        let text = "{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}"
        #expect(try JSONValue.parse(text).objectValue?.map(\.key) == keys)
        let duplicate = syntaxError("{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + ", \"k3\": 2}")
        #expect(duplicate?.message.contains("k3: duplicate key") == true)
    }

    @Test func nestingIsLimitedWithoutRecursionBlowup() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONValue.parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(syntaxError(deep)?.message.contains("deeper than 64") == true)
        // Hostile input: a million open brackets stops at the limit instead of overflowing the stack.
        let hostile = String(repeating: "[{\"a\":", count: 500_000)
        #expect(syntaxError(hostile)?.message.contains("deeper than 64") == true)
        #expect(try JSONValue.parse("[[1]]", maximumDepth: 2) == [[1]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([]))
    }

    @Test func recordsPositionsByPath() throws {
        var parser = JSONParser(
            bytes: Array("{\"a\": [1, {\"b.c\": 2}]}".utf8), maximumDepth: 64, recordPositions: true)
        _ = try parser.parseDocument()
        #expect(parser.positions["a"] == 1)
        #expect(parser.positions["a[1]"] == 10)
        #expect(parser.positions["a[1][\"b.c\"]"] == 11)
    }
}
