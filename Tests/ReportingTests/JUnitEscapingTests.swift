import Testing

@testable import Reporting

/// The JUnit writer escapes by hand, so every character a scenario name, a file path or a message may hold
/// must come out as well-formed XML 1.0.
@Suite struct JUnitEscapingTests {
    @Test func markupAndQuotesAreEscaped() {
        #expect(JUnit.text(#"a < b && c > d "q" 'a' ]]>"#) == #"a &lt; b &amp;&amp; c &gt; d "q" 'a' ]]&gt;"#)
        #expect(JUnit.attribute(#"<"it's" & more>"#) == "&lt;&quot;it&apos;s&quot; &amp; more&gt;")
    }

    @Test func whitespaceSurvivesAttributeNormalisation() {
        #expect(JUnit.attribute("a\tb\nc\rd") == "a&#9;b&#10;c&#13;d")
        #expect(JUnit.text("a\tb\nc\rd") == "a\tb\nc&#13;d")
    }

    @Test func charactersXMLCannotCarryAreReplaced() {
        #expect(JUnit.text("nul\u{0}bell\u{7}esc\u{1B}") == "nul\u{FFFD}bell\u{FFFD}esc\u{FFFD}")
        #expect(JUnit.attribute("\u{FFFE}\u{FFFF}") == "\u{FFFD}\u{FFFD}")
        #expect(JUnit.text("→ é 😀 \u{D7FF}\u{E000}") == "→ é 😀 \u{D7FF}\u{E000}")
    }

    @Test func aSuiteCountsItsFailures() {
        let failure = JUnit.Failure(type: "threshold", message: "m < 1", details: "x")
        let suite = JUnit.Suite(
            name: "presence-sim run a&b", properties: [("k", "v\"")],
            cases: [
                JUnit.TestCase(className: "a", name: "one", failure: failure),
                JUnit.TestCase(className: "a", name: "two"),
            ])
        #expect(
            suite.xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="presence-sim run a&amp;b" tests="2" failures="1" errors="0">
                  <testsuite name="presence-sim run a&amp;b" tests="2" failures="1" errors="0" skipped="0">
                    <properties>
                      <property name="k" value="v&quot;"/>
                    </properties>
                    <testcase classname="a" name="one">
                      <failure type="threshold" message="m &lt; 1">x</failure>
                    </testcase>
                    <testcase classname="a" name="two"/>
                  </testsuite>
                </testsuites>

                """)
    }
}
