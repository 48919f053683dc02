// The metrics every benchmark reports and the ones its thresholds gate, shared by the benchmark targets.
//
// Benchmark names must not contain spaces or slashes: `thresholds update` writes
// `Thresholds/<target>.<name>.p90.json` with those replaced by `_`, but `thresholds check` looks the file
// up under the name as written, finds nothing, and fails.

import Benchmark

#if canImport(Glibc)
    import Glibc
#endif

/// Hardware instruction counts need a CPU PMU exposed to perf_events; many VMs have none, and then the
/// counter reads 0. Instructions are reported (and gated) only where the PMU exists.
public let instructionsAvailable: Bool = {
    #if os(Linux)
        return access("/sys/bus/event_source/devices/cpu", F_OK) == 0
            || access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0
    #else
        return true
    #endif
}()

/// Gated metrics: deterministic for a fixed iteration count.
public let gatedMetrics: [BenchmarkMetric] = [.mallocCountTotal] + (instructionsAvailable ? [.instructions] : [])

/// Shown but not gated: wall time on a shared VM moves by tens of percent between identical runs.
public let shownMetrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocBytesCount]

/// Thresholds for `swift package benchmark thresholds check`, which compares each run's p90 with the p90
/// recorded under `Thresholds/`:
///
/// - `mallocCountTotal` (per iteration, not per operation): more than `mallocs` above the recorded value
///   is a regression, more than `mallocs` below an improvement (record new thresholds then). The counts
///   are exact, so the tolerance is about 1% of the recorded count, and at least 10; it is absolute
///   because the tool skips relative checks against a recorded 0.
/// - `instructions`, where available: 3% either way.
/// - every other reported metric: recorded but never checked. It needs an explicit empty entry, since
///   the tool checks a metric without one with zero tolerance.
public func gatedThresholds(
    mallocs: Int, extra: [BenchmarkMetric: BenchmarkThresholds] = [:]
) -> [BenchmarkMetric: BenchmarkThresholds] {
    var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [:]
    for metric in shownMetrics { thresholds[metric] = BenchmarkThresholds.none }
    thresholds[.mallocCountTotal] = BenchmarkThresholds(absolute: [.p90: mallocs])
    if instructionsAvailable { thresholds[.instructions] = BenchmarkThresholds(relative: [.p90: 3.0]) }
    thresholds.merge(extra) { _, new in new }
    return thresholds
}
