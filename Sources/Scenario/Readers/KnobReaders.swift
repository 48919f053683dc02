import PresenceCore

/// Readers for optional knobs shared by the sections: each reads `key` when the object has it and hands a
/// valid value to `apply`; an invalid value has been reported and leaves the default in place.
extension Validator {
    /// A duration or the keyword that turns the knob off (`"off"`, `"never"`), which applies nil.
    func optional(_ members: Members, _ key: String, none keyword: String, _ apply: (Interval?) -> Void) {
        guard let value = members[key], let reading = optionalInterval(value, members.path(key), none: keyword) else {
            return
        }
        apply(reading)
    }

    /// A duration; `invalid` runs when the value is present but not valid.
    func durationKnob(
        _ members: Members, _ key: String, zero: ZeroRule = .rejected, _ apply: (Interval) -> Void,
        invalid: () -> Void = {}
    ) {
        guard let value = members[key] else { return }
        if let interval = interval(value, members.path(key), zero: zero) { apply(interval) } else { invalid() }
    }

    func flag(_ members: Members, _ key: String, _ apply: (Bool) -> Void) {
        if let value = members[key], let flag = bool(value, members.path(key)) { apply(flag) }
    }

    func shareKnob(_ members: Members, _ key: String, _ apply: (Double) -> Void) {
        if let value = members[key], let share = share(value, members.path(key)) { apply(share) }
    }
}
