import Foundation

/// Inline SVG charts with a data-table fallback, for self-contained HTML reports.
///
/// Each chart function returns one HTML fragment: a `<figure>` holding an inline `<svg>` (a title, axes
/// labelled with their units, "nice" ticks, a legend when there are several series, native `<title>`
/// tooltips) followed by `<details><summary>Data</summary><table>…</table></details>` with the plotted
/// numbers, for screen readers, copying and printing. Pages that embed the charts SHOULD include
/// ``stylesheet`` once; without it the charts still draw, only the hover highlights are lost.
///
/// The output MUST be the same bytes for the same input: coordinates and labels are formatted with fixed
/// rules (`String(format:)` without a locale), and nothing depends on hashing order. Colours come from
/// the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), which stays distinguishable with
/// the common colour-vision deficiencies; series also differ by dash pattern, so they survive greyscale
/// printing.
public enum SVGChart {
    /// What an axis measures: decides where its ticks go and how its numbers read.
    public enum Unit: Sendable, Equatable {
        /// A duration in seconds, labelled in the unit that suits the range (ms, s, min or h) and ticked at
        /// round durations (15 s, 5 min, 6 h).
        case seconds
        /// A real-valued quantity in the named unit ("/s"), ticked on a 1–2–5 grid.
        case quantity(String)
        /// Whole numbers of the named unit ("clients"), ticked on whole numbers only.
        case count(String)
    }

    /// An axis: what it shows and in which unit. Its label reads "title (unit)".
    public struct Axis: Sendable, Equatable {
        public var title: String
        public var unit: Unit

        public init(_ title: String, unit: Unit) {
            self.title = title
            self.unit = unit
        }
    }

    /// A data point in the units of the chart's axes.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// A confidence interval of `y`, drawn as an error bar.
        public var yRange: ClosedRange<Double>?

        public init(x: Double, y: Double, yRange: ClosedRange<Double>? = nil) {
            self.x = x
            self.y = y
            self.yRange = yRange
        }
    }

    /// A named series of points, drawn in the order given.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]

        public init(_ name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// A scatter point with a label (shown in its tooltip, and next to it when highlighted).
    public struct LabelledPoint: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var label: String
        /// Highlighted points are drawn filled, labelled, and joined by a line in order of `x`.
        public var highlighted: Bool
        /// Confidence intervals of `x` and `y`, drawn as error bars.
        public var xRange: ClosedRange<Double>?
        public var yRange: ClosedRange<Double>?

        public init(
            x: Double, y: Double, label: String, highlighted: Bool = false, xRange: ClosedRange<Double>? = nil,
            yRange: ClosedRange<Double>? = nil
        ) {
            self.x = x
            self.y = y
            self.label = label
            self.highlighted = highlighted
            self.xRange = xRange
            self.yRange = yRange
        }
    }

    /// Tick positions covering a range, their labels, and the unit the labels are written in.
    public struct Ticks: Sendable, Equatable {
        /// Ascending, in the axis' base unit (seconds for ``Unit/seconds``), evenly spaced by a round step;
        /// the first is at or below the covered range and the last at or above it, give or take
        /// ``coverageSlack`` of a step.
        public var values: [Double]
        public var labels: [String]
        /// The unit of the labels: "min" for durations labelled in minutes, otherwise the axis' unit.
        public var unit: String
    }

    /// How far (in steps) data may overshoot the outer ticks before another tick is added: an HDR
    /// histogram reports a 60 s TTL as 60.03 s, which should still end the axis at 60 s, not 75 s.
    public static let coverageSlack = 0.01

    /// Round ticks for `unit` covering `lower...upper`, about `target` steps apart (a few more or fewer).
    ///
    /// Durations are labelled in ms below 1 s, in s below 2 min, in min below 2 h and in h beyond (the same
    /// cut-offs as `Format.seconds`), stepping by 1, 2, 5, 10, 15, 20 or 30 s or min, or by 1, 2, 3, 6, 12 h
    /// or whole days; counts only get whole-number steps; everything else steps by 1, 2 or 5 times a power
    /// of ten. An empty range is widened around its value.
    public static func ticks(for unit: Unit, covering lower: Double, _ upper: Double, target: Int = 5) -> Ticks {
        var low = min(lower, upper)
        var high = max(lower, upper)
        if !low.isFinite || !high.isFinite {
            (low, high) = (0, 1)
        }
        if high - low <= abs(high) * 1e-9 {
            if high == 0 {
                high = 1
            } else {
                var pad = max(abs(high) * 0.1, 1e-9)
                if case .count = unit { pad = max(pad, 1) }
                (low, high) = (low - pad, high + pad)
            }
        }
        let (factor, unitName, ladder) = display(unit, magnitude: max(abs(low), abs(high)))
        let (lo, hi) = (low / factor, high / factor)
        let step = ladder.step(atLeast: (hi - lo) / Double(max(1, target)))
        let first = (lo / step + coverageSlack).rounded(.down)
        let last = (hi / step - coverageSlack).rounded(.up)
        let decimals = decimalPlaces(step)
        let largest = max(abs(first), abs(last)) * step
        let compact = unitName != "ms" && ladder != .sexagesimal && ladder != .hours && largest >= 10_000
        var ticks = Ticks(values: [], labels: [], unit: unitName)
        for multiple in stride(from: first, through: last, by: 1) {
            let display = multiple * step
            ticks.values.append(display * factor)
            ticks.labels.append(
                compact ? compactLabel(display, step: step, largest: largest) : label(display, decimals: decimals))
        }
        return ticks
    }

    /// The CSS the charts expect from their page: fonts, hover highlights, the data tables.
    public static let stylesheet = """
        .chart { margin: 0 0 28px; }
        .chart svg { display: block; width: 100%; height: auto; max-width: 100%; overflow: visible; }
        .chart svg text { fill: #3e4c59; }
        .chart svg .chart-title { fill: #1f2933; font-size: 15px; font-weight: 600; }
        .chart svg .axis-title { fill: #52606d; font-size: 12px; }
        .chart svg .tick { fill: #616e7c; font-size: 11px; font-variant-numeric: tabular-nums; }
        .chart svg .point-label { fill: #1f2933; font-size: 11px; }
        .chart svg .empty { fill: #7b8794; font-size: 13px; }
        .chart svg .hover { fill-opacity: 0; }
        .chart svg .hover:hover { fill-opacity: 0.06; }
        .chart svg .hit { fill-opacity: 0; }
        .chart svg .hit:hover { fill-opacity: 0.9; }
        .chart svg .bar:hover, .chart svg .dot:hover { opacity: 0.75; }
        .chart details { margin: 4px 0 0 8px; font-size: 13px; color: #52606d; }
        .chart summary { cursor: pointer; width: max-content; }
        .chart details table { width: auto; border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
        .chart details th, .chart details td { padding: 2px 12px 2px 0; text-align: right; white-space: nowrap; }
        .chart details th:first-child, .chart details td:first-child { text-align: left; }
        .chart details thead th { border-bottom: 1px solid #cbd2d9; font-weight: 600; }
        """

    /// Escapes text for HTML and XML content and attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    // MARK: Charts

    /// A line chart of several series over a numeric x axis (usually simulated time in seconds).
    ///
    /// Hovering anywhere above an x value shows every series' value there. Non-finite values are skipped;
    /// the y axis always includes zero, and every error bar.
    public static func line(
        title: String, x: Axis, y: Axis, series: [Series], emptyMessage: String = "No data to plot."
    ) -> String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = points.first else { return empty(title: title, message: emptyMessage) }
        let xs = points.map(\.x)
        let ys = points.flatMap { [$0.y] + finiteBounds($0.yRange) }
        let xTicks = ticks(for: x.unit, covering: xs.min() ?? first.x, xs.max() ?? first.x, target: 6)
        let yTicks = ticks(for: y.unit, covering: min(0, ys.min() ?? 0), max(0, ys.max() ?? 0))
        var plot = Plot(
            title: title, xAxis: x, xTicks: xTicks, yAxis: y, yTicks: yTicks,
            legend: series.count > 1 ? series.indices.map { LegendEntry(name: series[$0].name, style: .line($0)) } : [])
        let markers = series.allSatisfy { $0.points.count <= 40 }
        for (index, line) in series.enumerated() {
            for point in line.points where point.x.isFinite && point.y.isFinite && point.yRange != nil {
                plot.errorBars(at: point, x: nil, y: point.yRange, colour: Palette.colour(index))
            }
            plot.path(line.points, style: index)
            if markers {
                for point in line.points where point.x.isFinite && point.y.isFinite {
                    plot.marker(at: point, style: index)
                }
            }
        }
        let columns = Array(Set(xs)).sorted()
        let values = series.map { line in
            Dictionary(line.points.map { ($0.x, $0) }, uniquingKeysWith: { _, last in last })
        }
        for (index, column) in columns.enumerated() {
            let previous = index > 0 ? (columns[index - 1] + column) / 2 : xTicks.values.first ?? column
            let next = index + 1 < columns.count ? (column + columns[index + 1]) / 2 : xTicks.values.last ?? column
            let readings = zip(series, values).compactMap { line, lookup in
                lookup[column].map { "\(line.name): \(format($0.y, $0.yRange, y.unit))" }
            }
            plot.hoverBand(
                from: previous, to: next, tooltip: ([format(column, x.unit)] + readings).joined(separator: "\n"))
        }
        let table = dataTable(
            header: [x.title] + series.map(\.name),
            rows: columns.map { column in
                [format(column, x.unit)] + values.map { $0[column].map { format($0.y, $0.yRange, y.unit) } ?? "" }
            })
        return figure(plot.svg, table)
    }

    /// A percentile-distribution chart: each series' points are (value, percentile 0...100), drawn on a
    /// "nines" y scale where p maps to −log10(1 − p/100), so 0, 90, 99, 99.9 and 99.99 are evenly spaced
    /// and the tail gets as much room as the body (the HdrHistogram percentile plot).
    public static func percentiles(
        title: String, value: Axis, series: [Series], emptyMessage: String = "No data to plot."
    ) -> String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard !points.isEmpty else { return empty(title: title, message: emptyMessage) }
        let xs = points.map(\.x)
        let xTicks = ticks(for: value.unit, covering: min(0, xs.min() ?? 0), xs.max() ?? 0, target: 6)
        let topNines = max(2, min(maxNines, nines(points.map(\.y).max() ?? 99).rounded(.up)))
        let yTicks = percentileTicks(upTo: topNines)
        var plot = Plot(
            title: title, xAxis: value, xTicks: xTicks, yAxis: Axis("percentile", unit: .quantity("%, nines scale")),
            yTicks: yTicks,
            legend: series.count > 1 ? series.indices.map { LegendEntry(name: series[$0].name, style: .line($0)) } : [])
        for (index, curve) in series.enumerated() {
            let mapped = curve.points.map { Point(x: $0.x, y: nines($0.y)) }
            plot.path(mapped, style: index)
            for (point, original) in zip(mapped, curve.points) where point.x.isFinite && point.y.isFinite {
                let tooltip = "\(curve.name)\n\(percentileLabel(original.y)): \(format(original.x, value.unit))"
                plot.hitCircle(at: point, style: index, tooltip: tooltip)
            }
        }
        let levels = Array(Set(series.flatMap { $0.points.map(\.y) })).sorted()
        let lookup = series.map { curve in
            Dictionary(curve.points.map { ($0.y, $0.x) }, uniquingKeysWith: { _, last in last })
        }
        let table = dataTable(
            header: ["percentile"] + series.map(\.name),
            rows: levels.map { level in
                [percentileLabel(level)] + lookup.map { $0[level].map { format($0, value.unit) } ?? "" }
            })
        return figure(plot.svg, table)
    }

    /// A bar chart of how often each whole value occurred (recipients per event), bars placed by value so
    /// that gaps between values stay visible.
    public static func bars(
        title: String, x: Axis, y: Axis, counts: [(value: Int, count: Int)], emptyMessage: String = "No data to plot."
    ) -> String {
        let counts = counts.sorted { $0.value < $1.value }
        guard let lowest = counts.first?.value, let highest = counts.last?.value else {
            return empty(title: title, message: emptyMessage)
        }
        let xTicks = ticks(for: .count(x.unit.name), covering: Double(lowest), Double(highest), target: 8)
        let yTicks = ticks(for: y.unit, covering: 0, Double(counts.map(\.count).max() ?? 0))
        let xDomain =
            min(xTicks.values.first ?? 0, Double(lowest) - 0.5)...max(xTicks.values.last ?? 1, Double(highest) + 0.5)
        var plot = Plot(
            title: title, xAxis: x, xTicks: xTicks, yAxis: y, yTicks: yTicks, legend: [], xDomain: xDomain,
            verticalGrid: false)
        let total = Double(counts.reduce(0) { $0 + $1.count })
        for bucket in counts {
            let share = total > 0 ? Format.percent(Double(bucket.count) / total) : "–"
            plot.bar(
                at: Double(bucket.value), height: Double(bucket.count),
                tooltip: "\(format(Double(bucket.value), x.unit)): \(format(Double(bucket.count), y.unit)) (\(share))")
        }
        let table = dataTable(
            header: [x.title, y.title],
            rows: counts.map { [format(Double($0.value), x.unit), format(Double($0.count), y.unit)] })
        return figure(plot.svg, table)
    }

    /// A bar chart over named categories (room-size buckets, say), in the given order, with each bar's
    /// share of the total in its tooltip and the data table.
    public static func categoryBars(
        title: String, x: String, y: Axis, bars: [(label: String, value: Double)],
        emptyMessage: String = "No data to plot."
    ) -> String {
        guard !bars.isEmpty, bars.contains(where: { $0.value > 0 }) else {
            return empty(title: title, message: emptyMessage)
        }
        let xTicks = Ticks(values: bars.indices.map(Double.init), labels: bars.map(\.label), unit: "members")
        let yTicks = ticks(for: y.unit, covering: 0, bars.map(\.value).max() ?? 0)
        var plot = Plot(
            title: title, xAxis: Axis(x, unit: .count("members")), xTicks: xTicks, yAxis: y, yTicks: yTicks,
            legend: [], xDomain: -0.5...(Double(bars.count) - 0.5), verticalGrid: false)
        let total = bars.reduce(0) { $0 + $1.value }
        var rows: [[String]] = []
        for (index, bar) in bars.enumerated() {
            let share = total > 0 ? Format.percent(bar.value / total) : "–"
            plot.bar(
                at: Double(index), height: bar.value, tooltip: "\(bar.label): \(format(bar.value, y.unit)) (\(share))")
            rows.append([bar.label, format(bar.value, y.unit), share])
        }
        return figure(plot.svg, dataTable(header: [x, y.title, "share"], rows: rows))
    }

    /// A scatter chart of labelled points; the highlighted ones are filled, labelled and joined by a line
    /// in order of x (a Pareto front of staleness against cost, say).
    ///
    /// - Parameters:
    ///   - highlightedName: the legend entry of the highlighted points and their line ("Pareto front").
    ///   - othersName: the legend entry of the other points ("dominated runs").
    public static func scatter(
        title: String, x: Axis, y: Axis, points: [LabelledPoint], highlightedName: String, othersName: String,
        emptyMessage: String = "No data to plot."
    ) -> String {
        let points = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !points.isEmpty else { return empty(title: title, message: emptyMessage) }
        let xs = points.flatMap { [$0.x] + finiteBounds($0.xRange) }
        let ys = points.flatMap { [$0.y] + finiteBounds($0.yRange) }
        let xTicks = ticks(for: x.unit, covering: min(0, xs.min() ?? 0), xs.max() ?? 0, target: 6)
        let yTicks = ticks(for: y.unit, covering: min(0, ys.min() ?? 0), ys.max() ?? 0)
        let highlighted = points.filter(\.highlighted).sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        let others = points.filter { !$0.highlighted }
        var legend: [LegendEntry] = []
        if !highlighted.isEmpty && !others.isEmpty {
            legend = [
                LegendEntry(name: othersName, style: .hollow), LegendEntry(name: highlightedName, style: .filled),
            ]
        }
        var plot = Plot(title: title, xAxis: x, xTicks: xTicks, yAxis: y, yTicks: yTicks, legend: legend)
        func tooltip(_ point: LabelledPoint, _ group: String) -> String {
            "\(point.label) (\(group))\n\(x.title): \(format(point.x, point.xRange, x.unit))\n"
                + "\(y.title): \(format(point.y, point.yRange, y.unit))"
        }
        for point in points where point.xRange != nil || point.yRange != nil {
            plot.errorBars(
                at: Point(x: point.x, y: point.y), x: point.xRange, y: point.yRange,
                colour: point.highlighted ? Palette.colour(Palette.highlight) : Palette.base)
        }
        for point in others {
            plot.dot(at: Point(x: point.x, y: point.y), filled: false, tooltip: tooltip(point, othersName))
        }
        plot.path(highlighted.map { Point(x: $0.x, y: $0.y) }, style: Palette.highlight, solid: true)
        for point in highlighted {
            plot.dot(at: Point(x: point.x, y: point.y), filled: true, tooltip: tooltip(point, highlightedName))
            plot.pointLabel(point.label, at: Point(x: point.x, y: point.y))
        }
        let table = dataTable(
            header: ["run", x.title, y.title, highlightedName],
            rows: points.map {
                [
                    $0.label, format($0.x, $0.xRange, x.unit), format($0.y, $0.yRange, y.unit),
                    $0.highlighted ? "yes" : "",
                ]
            })
        return figure(plot.svg, table)
    }

    // MARK: Numbers

    /// A value and its interval, for tooltips and data tables: "4.20 s (3.90 s – 4.50 s)".
    static func format(_ value: Double, _ range: ClosedRange<Double>?, _ unit: Unit) -> String {
        guard let range else { return format(value, unit) }
        return "\(format(value, unit)) (\(format(range.lowerBound, unit)) – \(format(range.upperBound, unit)))"
    }

    /// The finite ends of an interval, for fitting the axes around error bars.
    private static func finiteBounds(_ range: ClosedRange<Double>?) -> [Double] {
        guard let range else { return [] }
        return [range.lowerBound, range.upperBound].filter(\.isFinite)
    }

    /// A value with its unit, for tooltips and data tables: "4.20 s", "1,834 clients", "3.21 /s".
    static func format(_ value: Double, _ unit: Unit) -> String {
        switch unit {
        case .seconds: return Format.seconds(value)
        case .quantity(let name): return Format.number(value) + (name.isEmpty ? "" : " " + name)
        case .count(let name): return Format.count(value) + (name.isEmpty ? "" : " " + name)
        }
    }

    /// SVG coordinates: one decimal, without a trailing ".0" or a negative zero.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded(), let whole = Int(exactly: rounded) { return String(whole) }
        return String(format: "%.1f", rounded)
    }

    private static let maxNines = 4.0

    /// The "nines" of a percentile: 90 → 1, 99 → 2, 99.9 → 3, capped at ``maxNines`` (100 would be infinite).
    static func nines(_ percentile: Double) -> Double {
        let remainder = 1 - percentile / 100
        guard remainder > pow(10, -maxNines) else { return maxNines }
        return -log10(remainder)
    }

    /// Ticks of the nines scale: 0, 50, 90, 99, … up to `top` nines, in nines.
    private static func percentileTicks(upTo top: Double) -> Ticks {
        var ticks = Ticks(values: [0, nines(50)], labels: ["0", "50"], unit: "%, nines scale")
        for level in stride(from: 1.0, through: top, by: 1) {
            ticks.values.append(level)
            ticks.labels.append(percentileLabel(100 * (1 - pow(10, -level))))
        }
        return ticks
    }

    /// "p99.9"-style labels without trailing zeros, as table and tick text: "99.9", "14.22".
    static func percentileLabel(_ percentile: Double) -> String {
        var text = String(format: "%.2f", percentile)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// How a unit is labelled at a magnitude: the factor from base units, the unit's name and its step ladder.
    private static func display(_ unit: Unit, magnitude: Double) -> (factor: Double, name: String, ladder: Ladder) {
        switch unit {
        case .quantity(let name): return (1, name, .decimal)
        case .count(let name): return (1, name, .whole)
        case .seconds:
            if magnitude < 1 { return (0.001, "ms", .decimal) }
            if magnitude < 120 { return (1, "s", .sexagesimal) }
            if magnitude < 7200 { return (60, "min", .sexagesimal) }
            return (3600, "h", .hours)
        }
    }

    /// The round steps an axis may use.
    private enum Ladder {
        /// 1, 2 or 5 times a power of ten.
        case decimal
        /// As decimal, but never below 1.
        case whole
        /// Seconds and minutes: 1, 2, 5, 10, 15, 20, 30, 60; decimal outside that span.
        case sexagesimal
        /// Hours: 1, 2, 3, 6, 12, 24, then multiples of a day on a 1–2–5 grid; decimal below an hour.
        case hours

        func step(atLeast rough: Double) -> Double {
            let rough = max(rough, 1e-12)
            switch self {
            case .decimal: return Self.decimalStep(rough)
            case .whole: return max(1, Self.decimalStep(rough))
            case .sexagesimal:
                guard rough > 1 && rough <= 60 else { return Self.decimalStep(rough) }
                return [2, 5, 10, 15, 20, 30, 60].first { $0 >= rough } ?? 60
            case .hours:
                guard rough > 1 else { return Self.decimalStep(rough) }
                if rough <= 24 { return [2, 3, 6, 12, 24].first { $0 >= rough } ?? 24 }
                return 24 * Self.decimalStep(rough / 24)
            }
        }

        /// The smallest 1, 2 or 5 times a power of ten at least `rough`.
        static func decimalStep(_ rough: Double) -> Double {
            let power = pow(10, log10(rough).rounded(.down))
            for mantissa in [1.0, 2, 5, 10] where mantissa * power >= rough * (1 - 1e-9) {
                return mantissa * power
            }
            return 10 * power
        }
    }

    /// The decimals a step needs: 0 for 5, 1 for 0.5, 2 for 0.25.
    private static func decimalPlaces(_ step: Double) -> Int {
        for places in 0...9 {
            let scaled = step * pow(10, Double(places))
            if abs(scaled - scaled.rounded()) <= 1e-6 * max(1, scaled) { return places }
        }
        return 9
    }

    private static func label(_ value: Double, decimals: Int) -> String {
        let value = abs(value) < 1e-12 ? 0 : value
        if decimals == 0 { return Format.count(value) }
        return String(format: "%.\(decimals)f", value)
    }

    /// "20k", "1.5M": keeps large tick labels short; `largest` is the axis' largest magnitude.
    private static func compactLabel(_ value: Double, step: Double, largest: Double) -> String {
        guard value != 0 else { return "0" }
        let (divisor, suffix) = largest >= 1e6 ? (1e6, "M") : (1e3, "k")
        return label(value / divisor, decimals: decimalPlaces(step / divisor)) + suffix
    }

    // MARK: HTML

    private static func figure(_ svg: String, _ table: String) -> String {
        "<figure class=\"chart\">\n\(svg)\n\(table)\n</figure>\n"
    }

    /// A chart frame with its title and a centred message, for when there is nothing to plot.
    private static func empty(title: String, message: String) -> String {
        let height = 120.0
        var svg = Plot.open(title: title, height: height)
        svg +=
            "<rect x=\"0.5\" y=\"36.5\" width=\"\(coordinate(Plot.width - 1))\" height=\"\(coordinate(height - 44))\""
        svg += " rx=\"6\" fill=\"#f5f7fa\" stroke=\"#e4e7eb\"/>\n"
        svg += "<text class=\"empty\" x=\"\(coordinate(Plot.width / 2))\" y=\"\(coordinate(36 + (height - 44) / 2))\""
        svg +=
            " dy=\"0.35em\" text-anchor=\"middle\" font-size=\"13\" fill=\"#7b8794\">\(escape(message))</text>\n</svg>"
        return figure(svg, "")
    }

    /// The data-table fallback: `<details><summary>Data</summary><table>…</table></details>`.
    private static func dataTable(header: [String], rows: [[String]]) -> String {
        var html = "<details><summary>Data</summary><table>\n<thead><tr>"
        html += header.map { "<th>\(escape($0))</th>" }.joined()
        html += "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>\n</details>"
    }
}

extension SVGChart.Unit {
    /// The unit's name as axis labels show it ("/s", "clients"); durations report "s".
    var name: String {
        switch self {
        case .seconds: "s"
        case .quantity(let name), .count(let name): name
        }
    }
}

/// Colours and dash patterns of the series, by index.
private enum Palette {
    /// Okabe–Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue.
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    /// Solid, dashed, dotted, dash-dot: a second cue besides colour.
    static let dashes = ["", "7 4", "2 3", "10 3 2 3"]
    /// The colour index of highlighted scatter points and their line (vermillion).
    static let highlight = 1
    /// The colour of plain scatter points and bars.
    static let base = colours[0]

    static func colour(_ style: Int) -> String { colours[style % colours.count] }

    /// The `stroke-dasharray` attribute of a series' line (none for the first).
    static func dash(_ style: Int) -> String {
        let dash = dashes[style % dashes.count]
        return dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
    }
}

/// How a legend entry is drawn.
private enum LegendStyle {
    case line(Int)
    case hollow
    case filled
}

private struct LegendEntry {
    var name: String
    var style: LegendStyle
}

/// One chart's canvas: lays out the title, legend, axes and plot area, and collects the marks.
private struct Plot {
    static let width = 720.0
    static let height = 360.0
    /// Average advance of a character at 11–12 px in a sans-serif face, for layout estimates.
    static let characterWidth = 6.4

    let xTicks: SVGChart.Ticks
    let yTicks: SVGChart.Ticks
    /// The x values at the plot's left and right edges.
    let xDomain: ClosedRange<Double>
    let verticalGrid: Bool
    let left: Double
    let top: Double
    let right: Double
    let bottom: Double
    private var head: String
    private var marks = ""
    private var overlay = ""

    init(
        title: String, xAxis: SVGChart.Axis, xTicks: SVGChart.Ticks, yAxis: SVGChart.Axis, yTicks: SVGChart.Ticks,
        legend: [LegendEntry], xDomain: ClosedRange<Double>? = nil, verticalGrid: Bool = true
    ) {
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.xDomain = xDomain ?? (xTicks.values.first ?? 0)...(xTicks.values.last ?? 1)
        self.verticalGrid = verticalGrid
        let widestYLabel = Double(yTicks.labels.map(\.count).max() ?? 1) * Self.characterWidth
        left = 34 + widestYLabel
        right = Self.width - 18
        bottom = Self.height - 48
        var legendSVG = ""
        var legendRows = 0
        if !legend.isEmpty {
            legendRows = 1
            var cursor = 0.0
            for entry in legend {
                let itemWidth = 26 + Double(entry.name.count) * Self.characterWidth + 20
                if cursor > 0 && cursor + itemWidth > Self.width - 12 {
                    legendRows += 1
                    cursor = 0
                }
                legendSVG += Self.legendItem(entry, x: 12 + cursor, y: 44 + Double(legendRows - 1) * 18)
                cursor += itemWidth
            }
        }
        top = (legend.isEmpty ? 44 : 44 + Double(legendRows) * 18) + 4
        head = Self.open(title: title, height: Self.height) + legendSVG
        head += axes(xAxis: xAxis, yAxis: yAxis)
    }

    /// The `<svg>` start tag and the chart's title.
    static func open(title: String, height: Double) -> String {
        let name = SVGChart.escape(title)
        var svg = "<svg viewBox=\"0 0 \(SVGChart.coordinate(width)) \(SVGChart.coordinate(height))\""
        svg += " role=\"img\" aria-label=\"\(name)\""
        svg += " font-family=\"system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif\">\n"
        svg += "<text class=\"chart-title\" x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"#1f2933\">"
        svg += "\(name)</text>\n"
        return svg
    }

    private static func legendItem(_ entry: LegendEntry, x: Double, y: Double) -> String {
        let c = SVGChart.coordinate
        var svg = "<g class=\"legend\">"
        switch entry.style {
        case .line(let style):
            svg += "<line x1=\"\(c(x))\" y1=\"\(c(y))\" x2=\"\(c(x + 20))\" y2=\"\(c(y))\""
            svg += " stroke=\"\(Palette.colour(style))\" stroke-width=\"2.5\"\(Palette.dash(style))/>"
        case .hollow:
            svg += "<circle cx=\"\(c(x + 10))\" cy=\"\(c(y))\" r=\"4\" fill=\"#ffffff\" stroke=\"\(Palette.base)\""
            svg += " stroke-width=\"1.5\"/>"
        case .filled:
            let colour = Palette.colour(Palette.highlight)
            svg += "<line x1=\"\(c(x))\" y1=\"\(c(y))\" x2=\"\(c(x + 20))\" y2=\"\(c(y))\" stroke=\"\(colour)\""
            svg += " stroke-width=\"2\"/><circle cx=\"\(c(x + 10))\" cy=\"\(c(y))\" r=\"4.5\" fill=\"\(colour)\"/>"
        }
        svg +=
            "<text x=\"\(c(x + 26))\" y=\"\(c(y))\" dy=\"0.35em\" font-size=\"12\">\(SVGChart.escape(entry.name))</text>"
        return svg + "</g>\n"
    }

    /// Grid lines, tick labels and the axis titles.
    private func axes(xAxis: SVGChart.Axis, yAxis: SVGChart.Axis) -> String {
        let c = SVGChart.coordinate
        var svg = "<g class=\"grid\" stroke=\"#e4e7eb\" stroke-width=\"1\">\n"
        for value in yTicks.values {
            svg += "<line x1=\"\(c(left))\" y1=\"\(c(py(value)))\" x2=\"\(c(right))\" y2=\"\(c(py(value)))\"/>\n"
        }
        for value in xTicks.values where verticalGrid {
            svg += "<line x1=\"\(c(px(value)))\" y1=\"\(c(top))\" x2=\"\(c(px(value)))\" y2=\"\(c(bottom))\"/>\n"
        }
        svg += "</g>\n"
        svg += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\""
        svg += " stroke=\"#9aa5b1\" stroke-width=\"1\"/>\n"
        svg += "<g class=\"tick\" font-size=\"11\" fill=\"#616e7c\" text-anchor=\"end\">\n"
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            svg += "<text x=\"\(c(left - 8))\" y=\"\(c(py(value)))\" dy=\"0.32em\">\(SVGChart.escape(label))</text>\n"
        }
        svg += "</g>\n<g class=\"tick\" font-size=\"11\" fill=\"#616e7c\" text-anchor=\"middle\">\n"
        let spacing = xTicks.values.count > 1 ? px(xTicks.values[1]) - px(xTicks.values[0]) : right - left
        let widest = Double(xTicks.labels.map(\.count).max() ?? 1) * Self.characterWidth + 10
        let every = max(1, Int(exactly: (widest / spacing).rounded(.up)) ?? 1)
        for (index, (value, label)) in zip(xTicks.values, xTicks.labels).enumerated() where index % every == 0 {
            svg += "<text x=\"\(c(px(value)))\" y=\"\(c(bottom + 18))\">\(SVGChart.escape(label))</text>\n"
        }
        svg += "</g>\n"
        let xTitle = SVGChart.escape("\(xAxis.title) (\(xTicks.unit))")
        let yTitle = SVGChart.escape("\(yAxis.title) (\(yTicks.unit))")
        svg += "<text class=\"axis-title\" x=\"\(c((left + right) / 2))\" y=\"\(c(Self.height - 10))\""
        svg += " text-anchor=\"middle\" font-size=\"12\">\(xTitle)</text>\n"
        let middle = c((top + bottom) / 2)
        svg += "<text class=\"axis-title\" x=\"16\" y=\"\(middle)\" transform=\"rotate(-90 16 \(middle))\""
        svg += " text-anchor=\"middle\" font-size=\"12\">\(yTitle)</text>\n"
        return svg
    }

    func px(_ value: Double) -> Double {
        left + (value - xDomain.lowerBound) / max(xDomain.upperBound - xDomain.lowerBound, 1e-12) * (right - left)
    }

    func py(_ value: Double) -> Double {
        let (low, high) = (yTicks.values.first ?? 0, yTicks.values.last ?? 1)
        return bottom - (value - low) / max(high - low, 1e-12) * (bottom - top)
    }

    /// A polyline through the finite points, broken where a point is not finite; `solid` drops the
    /// style's dash pattern.
    mutating func path(_ points: [SVGChart.Point], style: Int, solid: Bool = false) {
        var d = ""
        var drawing = false
        for point in points {
            guard point.x.isFinite && point.y.isFinite else {
                drawing = false
                continue
            }
            d +=
                (drawing ? "L" : (d.isEmpty ? "M" : " M")) + SVGChart.coordinate(px(point.x)) + " "
                + SVGChart.coordinate(py(point.y))
            drawing = true
        }
        guard !d.isEmpty else { return }
        marks += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(Palette.colour(style))\" stroke-width=\"2\""
        marks += " stroke-linejoin=\"round\" stroke-linecap=\"round\"\(solid ? "" : Palette.dash(style))/>\n"
    }

    /// Error bars through `point`: a vertical one over `y` and a horizontal one over `x`, each with caps.
    mutating func errorBars(
        at point: SVGChart.Point, x: ClosedRange<Double>?, y: ClosedRange<Double>?, colour: String
    ) {
        let c = SVGChart.coordinate
        let cap = 4.0
        var d = ""
        if let y, y.lowerBound.isFinite, y.upperBound.isFinite {
            let (column, low, high) = (px(point.x), py(y.lowerBound), py(y.upperBound))
            d += "M\(c(column)) \(c(low))V\(c(high))"
            d += "M\(c(column - cap)) \(c(low))H\(c(column + cap))M\(c(column - cap)) \(c(high))H\(c(column + cap))"
        }
        if let x, x.lowerBound.isFinite, x.upperBound.isFinite {
            let (row, low, high) = (py(point.y), px(x.lowerBound), px(x.upperBound))
            d += "M\(c(low)) \(c(row))H\(c(high))"
            d += "M\(c(low)) \(c(row - cap))V\(c(row + cap))M\(c(high)) \(c(row - cap))V\(c(row + cap))"
        }
        guard !d.isEmpty else { return }
        marks += "<path class=\"error-bar\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.25\""
        marks += " stroke-opacity=\"0.8\"/>\n"
    }

    mutating func marker(at point: SVGChart.Point, style: Int) {
        marks += "<circle cx=\"\(SVGChart.coordinate(px(point.x)))\" cy=\"\(SVGChart.coordinate(py(point.y)))\""
        marks += " r=\"2.5\" fill=\"\(Palette.colour(style))\"/>\n"
    }

    /// A transparent full-height band that shows `tooltip` when hovered.
    mutating func hoverBand(from low: Double, to high: Double, tooltip: String) {
        let (x0, x1) = (px(low), px(high))
        overlay += "<rect class=\"hover\" x=\"\(SVGChart.coordinate(x0))\" y=\"\(SVGChart.coordinate(top))\""
        overlay += " width=\"\(SVGChart.coordinate(max(x1 - x0, 1)))\" height=\"\(SVGChart.coordinate(bottom - top))\""
        overlay += " fill=\"#1f2933\" fill-opacity=\"0\"><title>\(SVGChart.escape(tooltip))</title></rect>\n"
    }

    /// An invisible circle that shows `tooltip`, and the point itself, when hovered.
    mutating func hitCircle(at point: SVGChart.Point, style: Int, tooltip: String) {
        overlay += "<circle class=\"hit\" cx=\"\(SVGChart.coordinate(px(point.x)))\""
        overlay += " cy=\"\(SVGChart.coordinate(py(point.y)))\" r=\"5\" fill=\"\(Palette.colour(style))\""
        overlay += " fill-opacity=\"0\"><title>\(SVGChart.escape(tooltip))</title></circle>\n"
    }

    /// A bar centred on the whole value `value`.
    mutating func bar(at value: Double, height: Double, tooltip: String) {
        let unit = px(1) - px(0)
        let width = max(1, min(unit * 0.8, 48))
        // A bar of a non-zero count stays visible (at least 1 px) next to counts thousands of times larger.
        let (y0, y1) = (min(py(height), py(0) - (height > 0 ? 1 : 0)), py(0))
        marks +=
            "<rect class=\"bar\" x=\"\(SVGChart.coordinate(px(value) - width / 2))\" y=\"\(SVGChart.coordinate(y0))\""
        marks += " width=\"\(SVGChart.coordinate(width))\" height=\"\(SVGChart.coordinate(max(y1 - y0, 0)))\""
        marks += " fill=\"\(Palette.base)\"><title>\(SVGChart.escape(tooltip))</title></rect>\n"
    }

    mutating func dot(at point: SVGChart.Point, filled: Bool, tooltip: String) {
        let fill = filled ? Palette.colour(Palette.highlight) : "#ffffff"
        let stroke = filled ? Palette.colour(Palette.highlight) : Palette.base
        overlay += "<circle class=\"dot\" cx=\"\(SVGChart.coordinate(px(point.x)))\""
        overlay += " cy=\"\(SVGChart.coordinate(py(point.y)))\" r=\"\(filled ? "5" : "4")\" fill=\"\(fill)\""
        overlay += " stroke=\"\(stroke)\" stroke-width=\"1.5\"><title>\(SVGChart.escape(tooltip))</title></circle>\n"
    }

    /// A label beside a highlighted point, kept inside the plot area.
    mutating func pointLabel(_ label: String, at point: SVGChart.Point) {
        let width = Double(label.count) * Self.characterWidth
        let x = px(point.x)
        let leftward = x + 8 + width > right
        let y = max(top + 10, py(point.y) - 8)
        overlay += "<text class=\"point-label\" x=\"\(SVGChart.coordinate(leftward ? x - 8 : x + 8))\""
        overlay += " y=\"\(SVGChart.coordinate(y))\" font-size=\"11\"\(leftward ? " text-anchor=\"end\"" : "")>"
        overlay += "\(SVGChart.escape(label))</text>\n"
    }

    var svg: String { head + marks + overlay + "</svg>" }
}
