import PresenceCore

extension Interval {
    /// Parses a duration as scenario files write it (`"250ms"`, `"1.5s"`, `"20s"`, `"5m"`, `"1h"`,
    /// `"1h30m"`), or nil.
    public init?(parsing text: String) {
        guard case .success(let interval) = DurationSyntax.parse(text) else { return nil }
        self = interval
    }
}
