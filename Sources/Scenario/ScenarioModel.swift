import PresenceCore

/// A fully resolved scenario: every default filled in from the chosen design, every value validated.
///
/// Make one with ``ScenarioLoader``; `Scenarios/FORMAT.md` documents every key of the file format.
public struct Scenario: Sendable, Equatable {
    /// Names the run's output folder: `[A-Za-z0-9._-]+`, at most 100 characters, not `.` or `..`.
    public var name: String
    public var description: String?
    /// Seeds every random stream of the run; the same seed gives the same run.
    public var seed: UInt64
    /// Simulated time, warmup included.
    public var duration: Interval
    /// Time at the start whose measurements are discarded (the population settles). Less than `duration`.
    public var warmup: Interval
    public var clients: Int
    public var rooms: Rooms
    /// The presence design and its knobs (JSON key `protocol`).
    public var presence: PresenceProtocol
    /// The behaviour of every client; with ``cohorts``, the base each cohort's behaviour is merged over.
    public var behavior: Behavior
    /// The network of every client; with ``cohorts``, the base each cohort's network is merged over.
    public var network: Network
    /// Named parts of the population with their own behaviour and network (JSON key `cohorts`); empty
    /// when the scenario has none, so every client has ``behavior`` and ``network``. Shares sum to 1.
    public var cohorts: [Cohort]
    public var faults: [Fault]
    /// Pass/fail checks on the report, in file order.
    public var thresholds: [Threshold]
    /// The step of the report's time series (JSON key `timeline`).
    public var timeline: Interval
    public var sweep: Sweep?
    /// Independent replications to run, 1…1000 (JSON key `replications`); replication `i` runs with the
    /// seed `Replication.seed(seed, replication: i)`, so one replication is a plain run.
    public var replications: Int

    /// The most replications a scenario may ask for.
    public static let maximumReplications = 1_000

    public init(
        name: String, description: String? = nil, seed: UInt64 = 1, duration: Interval, warmup: Interval = .zero,
        clients: Int, rooms: Rooms, presence: PresenceProtocol, behavior: Behavior = Behavior(),
        network: Network = Network(), cohorts: [Cohort] = [], faults: [Fault] = [], thresholds: [Threshold] = [],
        timeline: Interval = .minutes(1), sweep: Sweep? = nil, replications: Int = 1
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.duration = duration
        self.warmup = warmup
        self.clients = clients
        self.rooms = rooms
        self.presence = presence
        self.behavior = behavior
        self.network = network
        self.cohorts = cohorts
        self.faults = faults
        self.thresholds = thresholds
        self.timeline = timeline
        self.sweep = sweep
        self.replications = replications
    }
}

/// How long something lasts or how long until it happens.
///
/// JSON: `"never"` | `{"constant": "50ms"}` | `{"uniform": ["2s", "30s"]}` |
/// `{"exponential": "30m"}` (the mean) | `{"lognormal": {"median": "1m", "p99": "30m"}}`.
public enum Distribution: Sendable, Equatable {
    /// The thing never happens (or, for a spell, never ends).
    case never
    case constant(Interval)
    /// Uniform between the bounds, `low <= high`.
    case uniform(Interval, Interval)
    case exponential(mean: Interval)
    /// Log-normal with the given median and 99th percentile, `0 < median <= p99`.
    case lognormal(median: Interval, p99: Interval)
}

/// A whole number drawn per room (its size) or per client (its number of rooms).
///
/// JSON: `5` | `{"constant": 5}` | `{"uniform": [2, 8]}` | `{"zipf": {"exponent": 1.1, "min": 2, "max": 50000}}`
/// | `{"lognormal": {"median": 6, "p99": 2000}}`.
public enum CountDistribution: Sendable, Equatable {
    case constant(Int)
    case uniform(Int, Int)
    /// P(k) ∝ k^−exponent on `min...max` (`exponent > 0`, `min <= max`): most draws small, a few huge.
    case zipf(exponent: Double, min: Int, max: Int)
    /// Log-normal with the given median and 99th percentile (`1 <= median <= p99`), rounded to the
    /// nearest whole number and at least 1.
    case lognormal(median: Double, p99: Double)
}

public struct Rooms: Sendable, Equatable {
    /// Members per room.
    public var size: CountDistribution
    /// Rooms each client is a member of (JSON `perClient`, default 1).
    public var perClient: CountDistribution
    /// Rooms that carry typing only, like seed 000's thread rooms (JSON `threads`). With them, presence
    /// goes to the rooms above and typing to these alone.
    public var threads: Threads?

    public init(size: CountDistribution, perClient: CountDistribution = .constant(1), threads: Threads? = nil) {
        self.size = size
        self.perClient = perClient
        self.threads = threads
    }

    /// Whether every client is in exactly one room (rooms partition the population) and no thread.
    public var isPartition: Bool { perClient == .constant(1) && threads == nil }

    /// Rooms that carry typing and no presence.
    public struct Threads: Sendable, Equatable {
        /// Members per thread.
        public var size: CountDistribution
        /// Threads each client follows (it may be none).
        public var perClient: CountDistribution

        public init(size: CountDistribution, perClient: CountDistribution) {
            self.size = size
            self.perClient = perClient
        }
    }
}

/// The three reference designs; each sets the defaults of every ``PresenceProtocol`` knob.
public enum Design: String, Sendable, Equatable, CaseIterable {
    /// A: WebSocket per client, Redis key with TTL, push to the room.
    case socketioRedis = "socketio-redis"
    /// B: HTTP heartbeats and beacons, observers poll.
    case httpPolling = "http-polling"
    /// C: per-room entries with an absolute expiry, subscribers get changes.
    case ttlEntries = "ttl-entries"
}

/// How the server reacts to an entry whose TTL has run out.
public enum Expiry: Sendable, Equatable {
    /// At the instant of expiry (JSON `"exact"`).
    case exact
    /// A worker scans for expired entries at this interval (JSON: a duration).
    case sweep(Interval)
    /// Nothing reacts; reads may filter expired entries (JSON `"off"`).
    case off
    /// Redis's own expiry: lazily on access, and by the active cycle sampling the keys with a TTL `hz`
    /// times a second (JSON `"redis"` or `{"redis": {"hz": 10, "effort": 1}}`).
    case redis(RedisExpiry)
}

/// The knobs of Redis's active expiry (`hz` and `active-expire-effort` in redis.conf) and what Redis
/// derives from them (src/expire.c, Redis 7.0).
public struct RedisExpiry: Sendable, Equatable {
    /// Active-expiry cycles a second, 1...500 (Redis's `hz`, default 10).
    public var hz: Int
    /// `active-expire-effort`, 1...10 (default 1).
    public var effort: Int

    public init(hz: Int = 10, effort: Int = 1) {
        self.hz = hz
        self.effort = effort
    }

    public static let allowedHz = 1...500
    public static let allowedEffort = 1...10

    /// Keys sampled per loop: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP (20) + 20 / 4 × (effort − 1).
    public var keysPerLoop: Int { 20 + 20 / 4 * (effort - 1) }
    /// A loop repeats while more than this percentage of its sample had expired:
    /// ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE (10) − (effort − 1).
    public var acceptableStalePercent: Int { 10 - (effort - 1) }
    /// The share of each cycle's period the cycle may use: ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC (25) + 2 × (effort − 1) percent.
    public var timePercent: Int { 25 + 2 * (effort - 1) }
    /// The time between two cycles.
    public var period: Interval { Interval(nanoseconds: Interval.nanosecondsPerSecond / Int64(hz)) }
}

/// How observers learn about changes.
public enum Delivery: Sendable, Equatable {
    /// The server fans changes out to the room (JSON `"push"`).
    case push
    /// Observers poll the room at this interval (JSON: a duration).
    case poll(Interval)
}

/// Reconnect backoff: `initial`, times `multiplier` per attempt up to `max`, each delay spread by ±`jitter`.
public struct Reconnect: Sendable, Equatable {
    public var initial: Interval
    public var max: Interval
    /// At least 1.
    public var multiplier: Double
    /// A share in 0...1 (Socket.IO's randomizationFactor).
    public var jitter: Double

    public init(initial: Interval, max: Interval, multiplier: Double, jitter: Double) {
        self.initial = initial
        self.max = max
        self.multiplier = multiplier
        self.jitter = jitter
    }
}

/// Every knob of a presence design. ``defaults(for:)`` gives each design's values; a scenario's
/// `protocol` block overrides any of them.
public struct PresenceProtocol: Sendable, Equatable {
    public var design: Design
    /// How often a client proves it is alive.
    public var heartbeat: Interval
    /// How long the store keeps an entry after its last heartbeat.
    public var ttl: Interval
    public var expiry: Expiry
    public var delivery: Delivery
    /// How often an observer polls the presence of the users it shows; nil when it does not.
    public var userPoll: Interval?
    /// User ids per user-poll request (at least 1).
    public var userPollBatch: Int
    /// How often an observer polls typing state; nil when it does not.
    public var typingPoll: Interval?
    /// The transport's ping interval; nil for no transport ping.
    public var pingInterval: Interval?
    /// How long the transport waits for a pong before it declares the connection dead.
    public var pingTimeout: Interval
    /// The server removes the entry when the socket closes.
    public var leaveOnDisconnect: Bool
    /// Idle time before the status turns away; nil for never.
    public var away: Interval?
    /// A hidden tab sends an away beacon.
    public var awayOnHidden: Bool
    /// Leaving sends an offline beacon, stored as a status with a fresh TTL (not a delete).
    public var offlineOnLeave: Bool
    /// Expiry of a room's member set, refreshed on join; nil when the set never expires.
    public var roomSetTTL: Interval?
    /// The client sends typing:false this long after the last keystroke.
    public var typingStop: Interval
    /// Least gap between typing:true sends within a burst (0 = every keystroke emits).
    public var typingThrottle: Interval
    /// Server-side expiry of a typing flag; nil for never.
    public var typingTTL: Interval?
    /// Anti-flap delay before an offline is broadcast, cancelled by a returning heartbeat (0 = off).
    public var leaveGrace: Interval
    /// Room changes are coalesced per period of this length (0 = off).
    public var batch: Interval
    public var reconnect: Reconnect
    /// Metadata bytes per entry, 0...65536.
    public var payloadBytes: Int

    public init(
        design: Design, heartbeat: Interval, ttl: Interval, expiry: Expiry, delivery: Delivery,
        userPoll: Interval?, userPollBatch: Int, typingPoll: Interval?, pingInterval: Interval?,
        pingTimeout: Interval, leaveOnDisconnect: Bool, away: Interval?, awayOnHidden: Bool,
        offlineOnLeave: Bool, roomSetTTL: Interval?, typingStop: Interval, typingThrottle: Interval,
        typingTTL: Interval?, leaveGrace: Interval, batch: Interval, reconnect: Reconnect, payloadBytes: Int
    ) {
        self.design = design
        self.heartbeat = heartbeat
        self.ttl = ttl
        self.expiry = expiry
        self.delivery = delivery
        self.userPoll = userPoll
        self.userPollBatch = userPollBatch
        self.typingPoll = typingPoll
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.leaveOnDisconnect = leaveOnDisconnect
        self.away = away
        self.awayOnHidden = awayOnHidden
        self.offlineOnLeave = offlineOnLeave
        self.roomSetTTL = roomSetTTL
        self.typingStop = typingStop
        self.typingThrottle = typingThrottle
        self.typingTTL = typingTTL
        self.leaveGrace = leaveGrace
        self.batch = batch
        self.reconnect = reconnect
        self.payloadBytes = payloadBytes
    }
}

/// Recurring episodes (hidden tab, idle, network outage): the gap until the next one and its length.
public struct Episodes: Sendable, Equatable {
    public var every: Distribution
    /// JSON key `for`.
    public var duration: Distribution

    public init(every: Distribution, duration: Distribution) {
        self.every = every
        self.duration = duration
    }
}

/// The mobile share of the population and how their operating systems treat a backgrounded app.
public struct Mobile: Sendable, Equatable {
    /// Share of clients on a phone.
    public var share: Double
    /// Share of phones on iOS (the rest are Android).
    public var ios: Double
    /// iOS suspends an app this long after it is backgrounded.
    public var suspendAfter: Interval
    /// Share of iOS backgroundings that get a background task and keep running ~30 s.
    public var backgroundTask: Double
    /// Share of suspensions that end with the OS killing the app.
    public var killWhileSuspended: Double
    /// Android enters Doze after this long in the background.
    public var dozeAfter: Interval
    /// Doze maintenance windows come this far apart.
    public var dozeWindow: Interval

    public init(
        share: Double, ios: Double = 0.5, suspendAfter: Interval = .seconds(5), backgroundTask: Double = 0,
        killWhileSuspended: Double = 0, dozeAfter: Interval = .minutes(5), dozeWindow: Interval = .minutes(15)
    ) {
        self.share = share
        self.ios = ios
        self.suspendAfter = suspendAfter
        self.backgroundTask = backgroundTask
        self.killWhileSuspended = killWhileSuspended
        self.dozeAfter = dozeAfter
        self.dozeWindow = dozeWindow
    }
}

/// Typing bursts: how often, how long, and the keystroke period within a burst.
public struct Typing: Sendable, Equatable {
    /// Mean bursts per online hour, 0...3600.
    public var burstsPerHour: Double
    public var burst: Distribution
    public var keystroke: Interval

    public init(burstsPerHour: Double, burst: Distribution, keystroke: Interval) {
        self.burstsPerHour = burstsPerHour
        self.burst = burst
        self.keystroke = keystroke
    }
}

/// What clients do. An absent part means that behaviour does not happen.
public struct Behavior: Sendable, Equatable {
    /// Length of an online spell; `.never` = stays online.
    public var online: Distribution
    /// Length of an offline gap; `.never` = never comes back.
    public var offline: Distribution
    /// Share of spells that end gracefully (a clean close or leave).
    public var graceful: Double
    /// Of the other endings, the share that vanish silently (network loss, suspension); the rest crash
    /// (the OS closes the connection).
    public var vanish: Double
    public var hidden: Episodes?
    public var idle: Episodes?
    public var mobile: Mobile?
    public var typing: Typing?
    /// The expected share of clients online over time (JSON key `profile`); arrivals follow it instead
    /// of `offline`, which is then `.never` and unused.
    public var profile: Profile?

    public init(
        online: Distribution = .never, offline: Distribution = .never, graceful: Double = 1, vanish: Double = 0.5,
        hidden: Episodes? = nil, idle: Episodes? = nil, mobile: Mobile? = nil, typing: Typing? = nil,
        profile: Profile? = nil
    ) {
        self.profile = profile
        self.online = online
        self.offline = offline
        self.graceful = graceful
        self.vanish = vanish
        self.hidden = hidden
        self.idle = idle
        self.mobile = mobile
        self.typing = typing
    }
}

/// The expected share of clients online as a piecewise-linear curve over time, optionally repeating.
///
/// JSON: `{"points": [["0h", 0.1], ["9h", 0.8], ["18h", 0.6], ["24h", 0.1]], "repeat": "24h"}`.
public struct Profile: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        /// From the start of the run (of each repetition); the first point is at 0.
        public var at: Interval
        /// The expected share of clients online at `at`, 0...1.
        public var share: Double

        public init(at: Interval, share: Double) {
            self.at = at
            self.share = share
        }
    }

    /// Strictly ordered by time, the first at 0, at least one.
    public var points: [Point]
    /// The curve starts over after this long (JSON key `repeat`), at least the last point's time; nil
    /// when it does not repeat. Between the last point and the repetition the share stays at the last
    /// point's.
    public var period: Interval?

    public init(points: [Point], period: Interval? = nil) {
        self.points = points
        self.period = period
    }

    /// The curve's share at `time` from the start: linear between points, the last point's share after
    /// it (until the repetition, if any).
    public func share(at time: Interval) -> Double {
        var offset = time
        if let period, period > .zero { offset = Interval(nanoseconds: time.nanoseconds % period.nanoseconds) }
        guard let last = points.last else { return 0 }
        if offset >= last.at { return last.share }
        var index = 0
        while index + 1 < points.count, points[index + 1].at <= offset { index += 1 }
        let (from, to) = (points[index], points[index + 1])
        let fraction = (offset - from.at).seconds / (to.at - from.at).seconds
        return from.share + (to.share - from.share) * fraction
    }
}

/// A named part of the population with its own behaviour and network: the cohort's `behavior` and
/// `network` keys merged over the scenario's, resolved like them.
public struct Cohort: Sendable, Equatable {
    /// `[A-Za-z0-9_-]+`, unique among the cohorts.
    public var name: String
    /// The share of the clients in the cohort, in (0, 1]; the cohorts' shares sum to 1.
    public var share: Double
    public var behavior: Behavior
    public var network: Network

    public init(name: String, share: Double, behavior: Behavior, network: Network) {
        self.name = name
        self.share = share
        self.behavior = behavior
        self.network = network
    }
}

/// The network between clients and the server.
public struct Network: Sendable, Equatable {
    /// One-way latency per message.
    public var latency: Distribution
    /// Probability that a message is lost, 0 <= loss < 1.
    public var loss: Double
    public var outages: Episodes?

    public init(latency: Distribution = .constant(.zero), loss: Double = 0, outages: Episodes? = nil) {
        self.latency = latency
        self.loss = loss
        self.outages = outages
    }
}

public enum FaultKind: Sendable, Equatable {
    /// The presence store restarts and loses every entry (design A: Redis; designs B and C: the server
    /// that holds them).
    case restartCore
    /// The application server restarts: every socket drops at once and no disconnect handler runs; the
    /// store keeps its state (design A's Redis; design C keeps entries in the server, so for it this is
    /// a core restart too).
    case restartServer
    /// A share of clients loses the server for a while.
    case partition(share: Double, duration: Interval)
    /// Latency is multiplied by `factor` (at least 1) for a while.
    case latencySpike(factor: Double, duration: Interval)
    /// Of the clients offline (between online spells) at the fault's instant, each comes online with
    /// probability `share`, at a uniform time within `within` (a push notification, a 9 am start).
    case surge(share: Double, within: Interval)
}

public struct Fault: Sendable, Equatable {
    /// When it happens, from the start of the run (before the end of the run).
    public var at: Interval
    public var kind: FaultKind

    public init(at: Interval, kind: FaultKind) {
        self.at = at
        self.kind = kind
    }
}

public enum Comparison: String, Sendable, Equatable, CaseIterable {
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// Whether `value` passes `value <comparison> limit`.
    public func holds(_ value: Double, _ limit: Double) -> Bool {
        switch self {
        case .less: value < limit
        case .lessOrEqual: value <= limit
        case .greater: value > limit
        case .greaterOrEqual: value >= limit
        }
    }
}

/// A pass/fail check on one report metric: `"staleness.offlineDetection.p99": "< 90s"`.
public struct Threshold: Sendable, Equatable {
    /// A path of ``MetricCatalog``.
    public var metric: String
    public var comparison: Comparison
    /// The limit in the metric's base unit (seconds, a 0...1 ratio, ...).
    public var value: Double
    /// The condition as written in the file (`"< 90s"`).
    public var text: String

    public init(metric: String, comparison: Comparison, value: Double, text: String) {
        self.metric = metric
        self.comparison = comparison
        self.value = value
        self.text = text
    }
}

/// Runs the scenario once per combination of parameter values.
public struct Sweep: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        /// A scenario key path in `--set` form (`protocol.heartbeat`, `faults[0].at`).
        public var path: String
        public var values: [JSONValue]

        public init(path: String, values: [JSONValue]) {
            self.path = path
            self.values = values
        }
    }

    /// In file order.
    public var parameters: [Parameter]
    /// Pair the lists element by element (all the same length) instead of taking every combination.
    public var zip: Bool

    public init(parameters: [Parameter], zip: Bool = false) {
        self.parameters = parameters
        self.zip = zip
    }

    /// The overrides of each run, in a fixed order: with `zip`, row by row; otherwise every
    /// combination, the last parameter varying fastest.
    public var runs: [[Override]] {
        guard !parameters.isEmpty else { return [] }
        if zip {
            let count = parameters.map(\.values.count).min() ?? 0
            return (0..<count).map { row in parameters.map { Override(path: $0.path, value: $0.values[row]) } }
        }
        var runs: [[Override]] = [[]]
        for parameter in parameters {
            runs = runs.flatMap { prefix in
                parameter.values.map { prefix + [Override(path: parameter.path, value: $0)] }
            }
        }
        return runs
    }
}
