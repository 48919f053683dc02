import Simulation

/// Judges ramp steps as they finish and remembers the fastest sustained one: a step fails on its
/// bounds (`RampBounds`); one failed step may be a hiccup of the machine, two in a row end the ramp.
public final class RampJudge: Sendable {
    private let mode: LoadReport.Mode
    private let state = Locked<(capacity: LoadTest.MeasuredStep?, reason: String?, failed: String?)>((nil, nil, nil))

    public init(mode: LoadReport.Mode) { self.mode = mode }

    /// Whether to go on after `step`, and a word for the progress line.
    public func judge(_ step: LoadTest.MeasuredStep) -> (goOn: Bool, text: String) {
        guard case .ramp(let bounds, _) = mode else { return (true, "") }
        guard step.index > 0 else { return (true, "warm-up") }
        let broken = bounds.violations(step)
        return state.withLock { state in
            if broken.isEmpty {
                state.capacity = step
                state.failed = nil
                return (true, "sustained")
            }
            let failure = "step \(step.index) at \(Format.number(step.speed))×: " + broken.joined(separator: "; ")
            // One failed step may be a hiccup of the machine; two in a row end the ramp.
            guard let previous = state.failed else {
                state.failed = failure
                return (true, broken.joined(separator: "; ") + " (once)")
            }
            state.reason = previous + ", then " + failure
            return (false, broken.joined(separator: "; "))
        }
    }

    /// The report's entry for a finished test.
    public func run(_ outcome: LoadOutcome) -> LoadRun {
        guard case .ramp = mode else { return LoadRun(outcome: outcome) }
        let (capacity, reason, _) = state.withLock { $0 }
        let stopReason: String
        if let reason {
            stopReason = reason
        } else if let targetReason = outcome.stopReason {
            stopReason = targetReason
        } else if !outcome.complete {
            stopReason = "interrupted"
        } else {
            stopReason = "every step was sustained: raise --max-steps or --speed to find the limit"
        }
        return LoadRun(outcome: outcome, capacity: capacity, stopReason: stopReason)
    }
}
