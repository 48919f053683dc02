import Testing

@testable import Scenario

@Suite struct JSONSerializerTests {
    @Test func prettyFormat() {
        let value: JSONValue = ["b": 1, "a": ["x", 2.5, true, .null], "e": [:], "f": []]
        #expect(
            value.serialized() == """
                {
                  "b": 1,
                  "a": [
                    "x",
                    2.5,
                    true,
                    null
                  ],
                  "e": {},
                  "f": []
                }
                """)
        #expect(value.serialized(.compact) == #"{"b":1,"a":["x",2.5,true,null],"e":{},"f":[]}"#)
    }

    @Test func numbers() {
        let cases: [(Double, String)] = [
            (20, "20"), (-3, "-3"), (0, "0"), (-0.0, "0"), (0.005, "0.005"), (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "10000000000000000"), (1e17, "1e+17"), (1e300, "1e+300"), (Double.leastNonzeroMagnitude, "5e-324"),
            (.nan, "null"), (.infinity, "null"), (-.infinity, "null"),
        ]
        for (number, text) in cases {
            #expect(JSONValue.number(number).serialized() == text, "\(number)")
        }
        #expect(JSONValue(UInt64.max).serialized() == "18446744073709551615")
        #expect(JSONValue(Int64.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.bigInteger("12a").serialized() == "null")
    }

    @Test func numbersRoundTrip() throws {
        for number in [0.1, 1.0 / 3, 123_456.789, 6.02214076e23, 1e-7, 2.5e-300, Double.greatestFiniteMagnitude] {
            #expect(try JSONValue.parse(JSONValue.number(number).serialized()) == .number(number))
        }
    }

    @Test func stringEscapes() {
        let text = "quote\" backslash\\ slash/ \u{0} \u{1F} \u{8}\u{C}\n\r\t é 😀"
        #expect(
            JSONValue.string(text).serialized()
                == #""quote\" backslash\\ slash/ \u0000 \u001f \b\f\n\r\t é 😀""#)
    }

    @Test func serializeThenParseGivesTheSameValue() throws {
        let value: JSONValue = [
            "nested": ["deep": [[1, 2], ["k": "v"]]], "unicode": "日本語 \u{7}", "big": JSONValue(UInt64.max),
            "empty": "", "neg": -0.5,
        ]
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(.compact)) == value)
    }

    @Test func isDeterministic() {
        let value: JSONValue = ["z": [1, 2, 3], "a": ["m": 0.1, "b": "x"]]
        let first = value.serialized()
        for _ in 0..<10 { #expect(value.serialized() == first) }
        var bytes: [UInt8] = Array("prefix:".utf8)
        value.write(to: &bytes, style: .pretty)
        #expect(String(decoding: bytes, as: UTF8.self) == "prefix:" + first)
    }

    @Test func largeDocumentsRoundTrip() throws {
        // A report-sized array: 200,000 points of a time series.
        let series = JSONValue.array((0..<200_000).map { ["t": JSONValue($0), "v": .number(Double($0) * 0.37)] })
        var bytes: [UInt8] = []
        series.write(to: &bytes)
        #expect(bytes.count > 5_000_000)
        #expect(try JSONValue.parse(bytes) == series)
    }

    @Test func accessorsAndBuilders() {
        var value: JSONValue = ["a": 1]
        value["b"] = "x"
        value["a"] = 2
        #expect(value == ["a": 2, "b": "x"])
        value["a"] = nil
        #expect(value == ["b": "x"])
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([1, 2])[1] == 2)
        #expect(JSONValue.array([1, 2])[5] == nil)
        #expect(JSONValue(3).int64Value == 3)
        #expect(JSONValue(2.5).int64Value == nil)
        #expect(JSONValue(-1).uint64Value == nil)
        #expect(JSONValue("s").stringValue == "s")
        #expect(JSONValue(true).boolValue == true)
        #expect(JSONValue.null.isNull)
        #expect(JSONValue(object: [("k", 1)]) == ["k": 1])
        #expect(JSONValue.number(.nan) == .number(.nan))
        #expect((["a": 1, "b": 2] as JSONValue) != (["b": 2, "a": 1] as JSONValue))
    }
}
