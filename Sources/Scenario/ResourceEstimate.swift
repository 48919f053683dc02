import Foundation
import PresenceCore

/// The rough cost model the reader uses to refuse scenarios this machine cannot run. Tune it here.
///
/// The figures come from the engine prototypes (`ENGINE-NOTES.md`): a plain discrete-event loop keeps
/// ~112 bytes per client and an actor per client ~1.6 KB, so 1,000 bytes covers a client with its
/// store entry, histograms and queue slots; a room membership costs a couple of bytes in the member
/// lists. A client causes about 4 events per heartbeat (send, arrive, store write, timer), and the
/// loop runs a few million events per second.
public enum ResourceEstimate {
    /// Memory per simulated client, in bytes.
    public static let bytesPerClient: Double = 1_000
    /// Memory per (client × largest room size) pair, in bytes.
    public static let bytesPerRoomPair: Double = 2
    /// Share of physical memory a run may plan to use.
    public static let usableMemoryShare: Double = 0.8
    /// Events per client per heartbeat period.
    public static let eventsPerHeartbeat: Double = 4
    /// Refuse runs estimated above this many events.
    public static let maximumEvents: Double = 2e11
    /// Event rate used to turn an event count into a rough run time.
    public static let eventsPerSecond: Double = 3e6
    /// Most runs a sweep may expand to.
    public static let maximumSweepRuns = 1_000

    /// This machine's memory in bytes.
    public static var physicalMemory: UInt64 { ProcessInfo.processInfo.physicalMemory }

    /// Estimated memory of a run, in bytes.
    public static func memory(clients: Int, largestRoom: Int) -> Double {
        memory(clients: Double(clients), largestRoom: largestRoom)
    }

    static func memory(clients: Double, largestRoom: Int) -> Double {
        clients * bytesPerClient + clients * Double(largestRoom) * bytesPerRoomPair
    }

    /// The most clients whose estimated memory fits in the usable share of `physicalMemory`.
    public static func largestClientCount(largestRoom: Int, physicalMemory: UInt64) -> Int {
        let perClient = bytesPerClient + Double(largestRoom) * bytesPerRoomPair
        return Int(min(Double(Int.max / 2), (Double(physicalMemory) * usableMemoryShare / perClient).rounded(.down)))
    }

    /// Estimated events of a run: clients × heartbeats per client × events per heartbeat.
    public static func events(clients: Int, duration: Interval, heartbeat: Interval) -> Double {
        events(clients: Double(clients), duration: duration, heartbeat: heartbeat)
    }

    static func events(clients: Double, duration: Interval, heartbeat: Interval) -> Double {
        guard heartbeat > .zero else { return .infinity }
        return clients * (duration.seconds / heartbeat.seconds) * eventsPerHeartbeat
    }

    // MARK: - Human-readable figures for messages

    /// `"1.5 GB"`, `"10 TB"` (decimal units).
    static func bytesText(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return roughly(value) + " " + units[unit]
    }

    /// `"12,000"`, `"3.4 million"`, `"2 trillion"`.
    static func countText(_ count: Double) -> String {
        let scales: [(Double, String)] = [
            (1e15, "quadrillion"), (1e12, "trillion"), (1e9, "billion"), (1e6, "million"),
        ]
        for (scale, name) in scales where count >= scale {
            return count / scale >= 1000 ? String(format: "%.1e", count) : roughly(count / scale) + " " + name
        }
        return groupedInteger(Int(count.rounded()))
    }

    /// `"40 seconds"`, `"3.5 hours"`, `"12 days"`, `"2.1 years"`.
    static func timeText(seconds: Double) -> String {
        let scales: [(Double, String)] = [(365 * 86_400, "years"), (86_400, "days"), (3_600, "hours"), (60, "minutes")]
        for (scale, name) in scales where seconds >= 2 * scale {
            return roughly(seconds / scale) + " " + name
        }
        return roughly(seconds) + " seconds"
    }

    /// `1234567` → `"1,234,567"`.
    static func groupedInteger(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return (value < 0 ? "-" : "") + text
    }

    /// Two significant figures at most, no trailing zeros: `3.4`, `12`, `150`.
    private static func roughly(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        let rounded = value >= 10 ? value.rounded() : (value * 10).rounded() / 10
        return JSONValue.numberText(rounded)
    }
}
