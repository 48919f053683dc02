import PresenceCore

extension Interval {
    /// Parses a duration as scenario files write it (`"250ms"`, `"1.5s"`, `"20s"`, `"5m"`, `"1h"`,
    /// `"1h30m"`), or nil.
    public init?(parsing text: String) {
        guard case .success(let interval) = DurationSyntax.parse(text) else { return nil }
        self = interval
    }
}

extension Interval {
    /// Why `text` is not a duration, in the words of the scenario reader's hints, or nil when it is one.
    public static func problem(parsing text: String) -> String? {
        switch DurationSyntax.parse(text) {
        case .success: return nil
        case .failure(.malformed(let hint)): return hint ?? "not a duration"
        case .failure(.negative): return "a duration cannot be negative"
        case .failure(.tooLarge): return "the longest duration is \"36500d\" (100 years)"
        case .failure(.finerThanNanosecond): return "a duration is a whole number of nanoseconds"
        }
    }
}
