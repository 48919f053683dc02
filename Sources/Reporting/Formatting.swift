import Foundation
import Scenario

/// Human-readable numbers with units, shared by the terminal, Markdown and HTML renderers.
public enum Format {
    /// A duration in seconds: "250 ms", "4.20 s", "3.5 min", "2.1 h".
    public static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let magnitude = abs(value)
        if magnitude == 0 { return "0 s" }
        if magnitude < 1 { return fixed(value * 1000, significant: 3) + " ms" }
        if magnitude < 120 { return fixed(value, significant: 3) + " s" }
        if magnitude < 7200 { return fixed(value / 60, significant: 3) + " min" }
        return fixed(value / 3600, significant: 3) + " h"
    }

    /// A number with three significant digits and thousands separators for large values.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if abs(value) >= 1000 { return count(value) }
        return fixed(value, significant: 3)
    }

    /// A whole number with thousands separators: "1,834"; beyond the range of `Int`, "1.2e+20".
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        guard let whole = Int(exactly: value.rounded()) else { return String(format: "%.2g", value) }
        return grouped(whole)
    }

    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    public static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        if share > 0.999 && share < 1 { return String(format: "%.3f %%", share * 100) }
        return String(format: "%.2f %%", share * 100)
    }

    public static func bytes(_ perSecond: Double) -> String {
        let units = ["B/s", "kB/s", "MB/s", "GB/s"]
        var value = perSecond
        var unit = 0
        while abs(value) >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return fixed(value, significant: 3) + " " + units[unit]
    }

    /// A metric's value in its unit.
    public static func metric(_ path: String, _ value: Double) -> String {
        guard let metric = MetricCatalog.metric(at: path) else { return number(value) }
        switch metric.unit {
        case .seconds: return seconds(value)
        case .ratio: return percent(value)
        case .perSecond: return number(value) + " /s"
        case .perClientHour: return number(value) + " /client-h"
        case .count: return count(value)
        case .joulesPerClientHour: return number(value) + " J/client-h"
        case .bytesPerSecond: return bytes(value)
        case .recipients: return number(value)
        }
    }

    /// A metric's value in its unit, followed by "± half-width" of its confidence interval when given:
    /// "20.1 s ± 350 ms", "11.7 ± 0.596 /s" (a fixed unit is written once, at the end), "2.60 ± 1.84" (a
    /// count pooled over replications is a mean per replication, so it keeps its decimals).
    public static func metric(_ path: String, _ value: Double, interval: SampleInterval?) -> String {
        guard let interval else { return metric(path, value) }
        let suffix: String
        switch MetricCatalog.metric(at: path)?.unit {
        case .perSecond: suffix = " /s"
        case .perClientHour: suffix = " /client-h"
        case .joulesPerClientHour: suffix = " J/client-h"
        case .count, .recipients: suffix = ""
        default: return metric(path, value) + " ± " + halfWidth(path, interval.halfWidth)
        }
        return number(value) + " ± " + number(interval.halfWidth) + suffix
    }

    /// An interval's half-width in the metric's unit; counts keep their decimals ("± 2.40").
    public static func halfWidth(_ path: String, _ value: Double) -> String {
        MetricCatalog.metric(at: path)?.unit == .count ? number(value) : metric(path, value)
    }

    /// A relative change: "+4.2 %", "−12 %", "±0".
    public static func change(from baseline: Double, to current: Double) -> String {
        if baseline == current { return "±0" }
        guard baseline != 0 else { return current > 0 ? "+∞" : "−∞" }
        let relative = (current - baseline) / abs(baseline) * 100
        return (relative > 0 ? "+" : "−") + fixed(abs(relative), significant: 2) + " %"
    }

    static func fixed(_ value: Double, significant: Int) -> String {
        let magnitude = abs(value)
        let decimals: Int
        if magnitude >= 100 {
            decimals = 0
        } else if magnitude >= 10 {
            decimals = max(0, significant - 2)
        } else if magnitude >= 1 {
            decimals = max(0, significant - 1)
        } else if magnitude == 0 {
            decimals = 0
        } else {
            decimals = min(6, significant - 1 - Int(log10(magnitude).rounded(.down)))
        }
        return String(format: "%.\(decimals)f", value)
    }
}
