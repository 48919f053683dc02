import PresenceCore

/// Staleness figures of one kind of viewer (the observers, or the store), in the terms of Chen, Toueg
/// and Aguilera's failure-detector QoS: detection time T_D, mistakes (rate λ_M and duration T_M), query
/// accuracy P_A — plus ghosts (departures never detected) and online propagation.
public struct StalenessStats: Sendable {
    /// T_D: from a subject truly leaving until the viewer shows it offline.
    public var offlineDetection = DurationHistogram()
    /// T_D by the departure's cause, indexed by `DepartureCause.rawValue`.
    public var offlineDetectionByCause = Array(repeating: DurationHistogram(), count: DepartureCause.allCases.count)
    /// Departures a viewer had not shown when the subject came back or the run ended.
    public var ghosts = 0
    public var longestGhost = Interval.zero
    /// Mistakes: the viewer turned to offline while the subject was truly online.
    public var mistakes = 0
    /// T_M: how long each mistake lasted (until the view turned online again, or the subject left).
    public var mistakeDuration = DurationHistogram()
    /// Mistakes that ended with the view turning online again (an offline→online flap).
    public var flaps = 0
    /// From a subject coming online until the viewer shows it online.
    public var onlinePropagation = DurationHistogram()
    /// Viewer-subject seconds observed, seconds of those with the subject truly online, and seconds
    /// with the view wrong.
    public var observedSeconds = 0.0
    public var upSeconds = 0.0
    public var wrongSeconds = 0.0

    /// P_A: the share of observed time the view was right.
    public var queryAccuracy: Double { observedSeconds > 0 ? 1 - wrongSeconds / observedSeconds : 1 }
    /// λ_M per subject-hour online.
    public var mistakesPerClientHour: Double { upSeconds > 0 ? Double(mistakes) / (upSeconds / 3600) : 0 }
    public var flapsPerClientHour: Double { upSeconds > 0 ? Double(flaps) / (upSeconds / 3600) : 0 }
}

/// The ground truth about one subject, as the trackers need it.
struct SubjectTruth {
    // The instant first: the fields pack into 10 bytes instead of 17 (24 in an array).
    /// When `present` last changed (the departure instant while absent).
    var since = Instant.zero
    var present = false
    var cause = DepartureCause.graceful
}

/// What one viewer shows about one subject, with the bookkeeping to score it.
struct ViewState {
    struct Flags: OptionSet {
        var rawValue: UInt8
        /// The subject left while shown online: a detection (or a ghost) is due.
        static let awaitingDetection = Flags(rawValue: 1)
        /// The view turned offline while the subject was online.
        static let inMistake = Flags(rawValue: 2)
        /// The subject came online while shown offline: an online propagation is due.
        static let awaitingOnline = Flags(rawValue: 4)
    }

    var shown = false
    var flags = Flags()
    /// An observer's widgets, which the recorder combines into `shown`: whether the screen lists the subject
    /// (pushes, snapshots, room polls), and whether its avatar's dot says offline (design B's user poll).
    /// They fill the record's padding.
    var listed = false
    var dotOffline = false
    /// When `shown` last changed.
    var since = Instant.zero
}

/// Scores views against ground truth. One implementation serves every observer pair and the store's
/// own view of each client: a view changes, the truth changes, a viewer starts or stops watching.
///
/// Time-weighted accuracy needs no extra state: a view is wrong when `shown != truth.present`, and since
/// every change of either flips that, a wrong view has been wrong since the later of the two changes
/// (or since the viewer started watching).
struct ViewTracker {
    /// Figures count from here on (the end of warm-up).
    let measuredFrom: Instant

    private func measured(from start: Instant, to end: Instant) -> Double {
        let from = max(start, measuredFrom)
        return end > from ? (end - from).seconds : 0
    }

    /// The view turns to `shown` at `now`.
    func viewChanged(
        _ view: inout ViewState, shown: Bool, now: Instant, truth: SubjectTruth, watchingSince: Instant,
        stats: inout StalenessStats
    ) {
        guard shown != view.shown else { return }
        if view.shown != truth.present {
            stats.wrongSeconds += measured(from: max(view.since, truth.since, watchingSince), to: now)
        }
        if shown {
            if view.flags.contains(.inMistake) {
                view.flags.remove(.inMistake)
                if view.since >= measuredFrom {
                    stats.mistakeDuration.record(now - view.since)
                    stats.flaps += 1
                }
            } else if view.flags.contains(.awaitingOnline) {
                view.flags.remove(.awaitingOnline)
                if truth.present && truth.since >= measuredFrom { stats.onlinePropagation.record(now - truth.since) }
            }
        } else if truth.present {
            view.flags.insert(.inMistake)
            view.flags.remove(.awaitingOnline)
            if now >= measuredFrom { stats.mistakes += 1 }
        } else if view.flags.contains(.awaitingDetection) {
            view.flags.remove(.awaitingDetection)
            if truth.since >= measuredFrom {
                stats.offlineDetection.record(now - truth.since)
                stats.offlineDetectionByCause[Int(truth.cause.rawValue)].record(now - truth.since)
            }
        }
        view.shown = shown
        view.since = now
    }

    /// The subject's truth changes from `old` to `new` at `now`, for a viewer watching since `watchingSince`.
    func truthChanged(
        _ view: inout ViewState, from old: SubjectTruth, to new: SubjectTruth, watchingSince: Instant,
        stats: inout StalenessStats
    ) {
        let now = new.since
        if view.shown != old.present {
            stats.wrongSeconds += measured(from: max(view.since, old.since, watchingSince), to: now)
        }
        if old.present {
            stats.upSeconds += measured(from: max(old.since, watchingSince), to: now)
            if view.flags.contains(.inMistake) {
                view.flags.remove(.inMistake)
                if view.since >= measuredFrom { stats.mistakeDuration.record(now - view.since) }
            }
            view.flags.remove(.awaitingOnline)
            if view.shown { view.flags.insert(.awaitingDetection) }
        } else {
            if view.flags.contains(.awaitingDetection) {
                view.flags.remove(.awaitingDetection)
                recordGhost(lasting: now - old.since, departedAt: old.since, stats: &stats)
            }
            if !view.shown { view.flags.insert(.awaitingOnline) }
        }
    }

    /// The viewer starts watching at `now` (its page is up and reachable); the view is as it was left.
    func startWatching(_ view: inout ViewState) {
        view.flags = []
    }

    /// The viewer stops watching at `now`, or the run ends (`runEnded`): close the open intervals.
    /// A departure still awaiting detection at the end of the run is a ghost; one whose viewer went away
    /// is not scored.
    func stopWatching(
        _ view: inout ViewState, now: Instant, truth: SubjectTruth, watchingSince: Instant, runEnded: Bool,
        stats: inout StalenessStats
    ) {
        stats.observedSeconds += measured(from: watchingSince, to: now)
        if view.shown != truth.present {
            stats.wrongSeconds += measured(from: max(view.since, truth.since, watchingSince), to: now)
        }
        if truth.present { stats.upSeconds += measured(from: max(truth.since, watchingSince), to: now) }
        if runEnded && view.flags.contains(.awaitingDetection) {
            recordGhost(lasting: now - truth.since, departedAt: truth.since, stats: &stats)
        }
        view.flags = []
    }

    private func recordGhost(lasting duration: Interval, departedAt: Instant, stats: inout StalenessStats) {
        guard departedAt >= measuredFrom else { return }
        stats.ghosts += 1
        stats.longestGhost = max(stats.longestGhost, duration)
    }
}

/// A store's view of one client: shown online until `until` unless something changes it first. The
/// store forgets silently (a TTL runs out without any event), so the view settles that expiry whenever
/// it is next looked at.
struct StoreView {
    var view = ViewState()
    var until = Instant.zero

    func shows(at now: Instant) -> Bool { view.shown && until > now }
}

extension ViewTracker {
    /// The store now shows the client online until `until` (`now`: offline at once).
    func storeShows(
        _ store: inout StoreView, until: Instant, now: Instant, truth: SubjectTruth, stats: inout StalenessStats
    ) {
        settle(&store, now: now, truth: truth, stats: &stats)
        let shown = until > now
        if shown != store.view.shown {
            viewChanged(&store.view, shown: shown, now: now, truth: truth, watchingSince: .zero, stats: &stats)
        }
        store.until = until
    }

    /// The client's truth changes at `settlingAt`: the store's view first catches up with a silent expiry.
    func truthChanged(
        _ store: inout StoreView, from old: SubjectTruth, to new: SubjectTruth, settlingAt now: Instant,
        stats: inout StalenessStats
    ) {
        settle(&store, now: now, truth: old, stats: &stats)
        truthChanged(&store.view, from: old, to: new, watchingSince: .zero, stats: &stats)
    }

    /// Closes the store's view at the end of the run.
    func finish(_ store: inout StoreView, now: Instant, truth: SubjectTruth, stats: inout StalenessStats) {
        settle(&store, now: now, truth: truth, stats: &stats)
        stopWatching(&store.view, now: now, truth: truth, watchingSince: .zero, runEnded: true, stats: &stats)
    }

    /// Applies an expiry the store went through silently since the last look.
    private func settle(_ store: inout StoreView, now: Instant, truth: SubjectTruth, stats: inout StalenessStats) {
        guard store.view.shown, store.until <= now else { return }
        viewChanged(&store.view, shown: false, now: store.until, truth: truth, watchingSince: .zero, stats: &stats)
    }
}
