import PresenceCore

/// The duration strings of scenario files: a decimal number and a unit, `"250ms"`, `"1.5s"`, `"20s"`,
/// `"5m"`, `"1h"`, `"2d"`, or several such parts from the largest unit down, `"1h30m"`, `"2m30s"`,
/// `"1d12h"`, `"1m0.5s"`. Conversion is exact (decimal arithmetic, no floating point): a value that is
/// not a whole number of nanoseconds is refused rather than rounded.
///
/// In a compound duration each unit MUST appear at most once, larger units first, and only the last part
/// may have decimals (`"1.5h30m"` is refused: write `"2h"` or `"1h60m"`).
enum DurationSyntax {
    /// The units in the order messages list them, with their size in nanoseconds.
    static let units: [(name: String, nanoseconds: UInt64)] = [
        ("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
        ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    /// The longest duration a scenario may write: 100 years keeps every sum the engine forms far from
    /// `Int64` overflow (±292 years) and matches the simulation's longest draw.
    static let longest = Interval(nanoseconds: 36_500 * 86_400_000_000_000)

    enum Failure: Error, Equatable {
        /// Not of the form number + unit; the hint says what looks wrong.
        case malformed(hint: String?)
        case negative(Interval)
        case tooLarge
        case finerThanNanosecond
    }

    /// Common ways of writing a unit that scenario files do not accept, and the unit meant.
    private static let unitAliases: [String: String] = [
        "sec": "s", "secs": "s", "second": "s", "seconds": "s", "min": "m", "mins": "m", "minute": "m",
        "minutes": "m", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "day": "d", "days": "d", "msec": "ms",
        "msecs": "ms", "millis": "ms", "milliseconds": "ms", "µs": "us", "μs": "us", "usec": "us", "nsec": "ns",
        "S": "s", "M": "m", "H": "h", "D": "d", "MS": "ms",
    ]

    static func parse(_ text: String) -> Result<Interval, Failure> {
        var rest = Substring(text)
        if rest.contains(where: \.isWhitespace) {
            let compact = text.filter { !$0.isWhitespace }
            if !compact.isEmpty, case .failure(.malformed(let hint?)) = parse(compact) {
                return .failure(.malformed(hint: hint))
            }
            return .failure(.malformed(hint: "write it without spaces: \"\(compact)\""))
        }
        let negative = rest.first == "-"
        if negative { rest = rest.dropFirst() }
        var total: UInt64 = 0
        var previous: UInt64? = nil
        while !rest.isEmpty || previous == nil {
            let part = rest
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = String(rest.prefix { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == "+" || $0 == "-")) })
            rest = rest.dropFirst(unit.count)
            guard let decimal = DecimalNumber(number) else {
                if number.isEmpty, let sign = part.first, sign == "+" || sign == "-" {
                    return .failure(
                        .malformed(
                            hint: previous == nil && sign == "+"
                                ? "write it without the '+'" : "a sign may only come first, before the whole duration"))
                }
                return .failure(
                    .malformed(hint: "write a number, then a unit: \"20s\", \"1.5s\", \"250ms\", \"1h30m\""))
            }
            guard let size = units.first(where: { $0.name == unit })?.nanoseconds else {
                return .failure(.malformed(hint: unitHint(number: number, unit: unit, after: previous)))
            }
            if let previous, size >= previous {
                return .failure(
                    .malformed(hint: "write each unit once, the larger ones first, like \"1h30m\" or \"2m30s\""))
            }
            if number.contains("."), !rest.isEmpty {
                return .failure(.malformed(hint: "only the last part may have decimals, like \"1h30.5m\""))
            }
            switch decimal.times(size, rounding: false) {
            case .failure(let failure): return .failure(failure)
            case .success(let nanoseconds):
                let (sum, overflow) = total.addingReportingOverflow(nanoseconds)
                guard !overflow, sum <= UInt64(longest.nanoseconds) else { return .failure(.tooLarge) }
                total = sum
            }
            previous = size
        }
        let interval = Interval(nanoseconds: Int64(total))
        return negative && total > 0 ? .failure(.negative(interval)) : .success(interval)
    }

    /// What to write instead of `unit` after `number`: the unit meant, or, after an earlier part of
    /// `previous` nanoseconds per unit, the next smaller unit.
    private static func unitHint(number: Substring, unit: String, after previous: UInt64?)
        -> String
    {
        if unit.isEmpty {
            guard let previous else {
                return "add a unit: \"\(number)s\" for seconds, \"\(number)ms\" for milliseconds"
            }
            // The next smaller unit than the part before: "1h30" → "30m".
            guard let next = units.last(where: { $0.nanoseconds < previous })?.name else {
                return "no unit is smaller than ns; the units are " + unitList
            }
            return "add a unit after \(number): \"\(number)\(next)\"; the units are " + unitList
        }
        if let meant = unitAliases[unit] { return "write \"\(number)\(meant)\"; the units are " + unitList }
        return "the units are " + unitList
    }

    /// `base` times a decimal `factor` such as "2.5", rounded to the nearest nanosecond.
    static func multiply(_ base: Interval, by factor: Substring) -> Result<Interval, Failure> {
        guard let decimal = DecimalNumber(factor), base.nanoseconds >= 0 else { return .failure(.malformed(hint: nil)) }
        return decimal.times(UInt64(base.nanoseconds), rounding: true).map { Interval(nanoseconds: Int64($0)) }
    }

    static let unitList = "ns, us, ms, s, m, h, d"

    /// A non-negative decimal `digits[.digits]` split into its integer and fractional parts.
    struct DecimalNumber {
        /// Saturates at `UInt64.max` (then reported as too large).
        var integer: UInt64
        /// The fractional digits without trailing zeros, at most 19 of them, as an integer.
        var fraction: UInt64
        var fractionDigits: Int
        /// More than 19 fractional digits were written: far finer than a nanosecond of any unit.
        var truncated: Bool

        init?<Text: StringProtocol>(_ text: Text) {
            let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            var fractionText = parts.count == 2 ? parts[1] : ""
            guard parts.count == 1 || !fractionText.isEmpty, fractionText.allSatisfy({ $0.isASCII && $0.isNumber })
            else { return nil }
            while fractionText.last == "0" { fractionText = fractionText.dropLast() }
            truncated = fractionText.count > 19
            fractionText = fractionText.prefix(19)
            let wholeDigits = whole.drop { $0 == "0" }
            integer = wholeDigits.isEmpty ? 0 : UInt64(wholeDigits) ?? .max
            fractionDigits = fractionText.count
            fraction = UInt64(fractionText) ?? 0
        }

        /// `self × unit` in nanoseconds, at most ``DurationSyntax/longest``; exact unless `rounding`.
        func times(_ unit: UInt64, rounding: Bool) -> Result<UInt64, Failure> {
            let (wholePart, overflow) = integer.multipliedReportingOverflow(by: unit)
            guard !overflow else { return .failure(.tooLarge) }
            var fractionPart: UInt64 = 0
            if fractionDigits > 0 {
                var divisor: UInt64 = 1
                for _ in 0..<fractionDigits { divisor *= 10 }
                // fraction < divisor, so the quotient is below `unit` and cannot overflow.
                let (quotient, remainder) = divisor.dividingFullWidth(fraction.multipliedFullWidth(by: unit))
                if (remainder != 0 || truncated) && !rounding { return .failure(.finerThanNanosecond) }
                fractionPart = quotient + (rounding && remainder >= divisor - remainder ? 1 : 0)
            }
            let (total, sumOverflow) = wholePart.addingReportingOverflow(fractionPart)
            guard !sumOverflow, total <= UInt64(DurationSyntax.longest.nanoseconds) else { return .failure(.tooLarge) }
            return .success(total)
        }
    }
}

extension Scenario {
    /// The longest duration a scenario may have (100 years).
    public static var longestDuration: Interval { DurationSyntax.longest }
}
