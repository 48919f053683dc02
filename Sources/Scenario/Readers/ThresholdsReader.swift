/// The `thresholds` section: a condition per report metric, checked in file order.
extension Validator {
    /// - Parameter cohorts: the scenario's cohort names, whose metrics (`cohorts.{name}.{path}`) may be checked;
    ///   nil when the cohorts themselves are in error, so that a cohort's name is not reported twice.
    func thresholds(_ value: JSONValue, _ path: JSONPath, cohorts: [String]? = []) -> [Threshold]? {
        guard case .object(let pairs) = value else {
            mismatch(path, expected: "an object like {\"staleness.offlineDetection.p99\": \"< 90s\"}", found: value)
            return nil
        }
        var thresholds: [Threshold] = []
        var valid = true
        for (metric, condition) in pairs {
            if let threshold = threshold(metric, condition, path.appending(metric), cohorts: cohorts) {
                thresholds.append(threshold)
            } else {
                valid = false
            }
        }
        return valid ? thresholds : nil
    }

    private func threshold(_ metricPath: String, _ value: JSONValue, _ path: JSONPath, cohorts: [String]?)
        -> Threshold?
    {
        if let cohorts, let (cohort, _) = MetricCatalog.cohortPath(metricPath), !cohorts.contains(cohort) {
            var message = "unknown cohort '\(cohort)' in metric '\(metricPath)'"
            if let near = Suggestions.closest(to: cohort, among: cohorts) { message += "; did you mean '\(near)'?" }
            let hint =
                cohorts.isEmpty
                ? "the scenario has no cohorts"
                : "the scenario's cohorts are " + Suggestions.quotedList(cohorts, conjunction: "and")
            report(path, message, hint: hint)
            return nil
        }
        guard let metric = MetricCatalog.metric(at: metricPath) else {
            let paths = MetricCatalog.all.map(\.path)
            var message = "unknown metric '\(metricPath)'"
            if let near = Suggestions.closest(to: metricPath, among: paths)
                ?? paths.first(where: { $0.hasSuffix("." + metricPath) })
            {
                message += "; did you mean '\(near)'?"
            }
            report(path, message, hint: "`presence-sim metrics` lists every metric path")
            return nil
        }
        let expected = "a condition like \"< 90s\" (one of <, <=, >, >= and a value)"
        guard case .string(let text) = value else {
            var hint: String? = nil
            if let number = value.doubleValue { hint = "write \"< \(JSONValue.numberText(number))\"" }
            mismatch(path, expected: expected, found: value, hint: hint)
            return nil
        }
        let trimmed = text.trimmingSpaces
        guard
            let comparison = [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater].first(where: {
                trimmed.hasPrefix($0.rawValue)
            })
        else {
            mismatch(path, expected: expected, found: value, hint: "start with one of <, <=, >, >=")
            return nil
        }
        let operand = String(trimmed.dropFirst(comparison.rawValue.count)).trimmingSpaces
        guard let limit = thresholdValue(operand, metric: metric, text: text, path) else { return nil }
        return Threshold(metric: metricPath, comparison: comparison, value: limit, text: text)
    }

    /// The limit of a threshold in the metric's base unit.
    private func thresholdValue(_ operand: String, metric: MetricCatalog.Metric, text: String, _ path: JSONPath)
        -> Double?
    {
        let plain: Double? = {
            guard case .number(let number)? = try? JSONValue.parse(operand) else { return nil }
            return number
        }()
        let found = Self.quoted(text)
        if let plain, plain < 0 {
            report(path, "expected a limit of at least 0 (metrics are never negative), found \(found)")
            return nil
        }
        switch metric.unit {
        case .seconds:
            if let plain { return plain }
            if case .success(let interval) = DurationSyntax.parse(operand) { return interval.seconds }
            report(
                path,
                "'\(metric.path)' is measured in seconds; expected a duration like \"< 90s\" or a plain number of "
                    + "seconds, found \(found)")
        case .ratio:
            if let plain, plain <= 1 { return plain }
            if operand.hasSuffix("%"), case .number(let percent)? = try? JSONValue.parse(String(operand.dropLast())),
                (0...100).contains(percent)
            {
                return percent / 100
            }
            let hint = plain.map { "write \"\(JSONValue.numberText($0))%\" for a percentage" }
            report(
                path,
                "'\(metric.path)' is a ratio; expected a share of 1 like \"> 0.995\" or a percentage like "
                    + "\"> 99.5%\", found \(found)", hint: hint)
        default:
            if let plain { return plain }
            report(
                path,
                "'\(metric.path)' is measured in \(metric.unit.rawValue); expected a plain number like \"< 800\", "
                    + "found \(found)")
        }
        return nil
    }
}
