import Foundation
import PresenceCore
import Scenario
import Synchronization

/// Something due at a simulated instant in a load test.
enum LoadEvent: Sendable {
    case client(ClientID, ClientInput)
    /// A client's message reaches the core: an operation.
    case uplink(ClientID, Uplink)
    /// The transport pings a client's socket: the network answers, the core handles the answer.
    case ping(ClientID, ConnectionID)
    /// An input of the core's own (timers, faults) for one shard.
    case shard(Int, ServerInput)
    /// A partition or surge fault begins (index into the scenario's faults).
    case clientFault(Int)
}

/// A task that fires the due events of its share of the clients (and of some shards' timers).
final class LoadDriver: Sendable {
    let index: Int
    private let queue = Locked(CalendarQueue<LoadEvent>())
    let statistics = Locked(DriverStatistics())

    init(index: Int) { self.index = index }

    func schedule(_ event: LoadEvent, at instant: Instant) {
        queue.withLock { $0.schedule(event, at: instant) }
    }

    /// Fires due events until the test stops.
    func run(_ context: LoadContext) async {
        let clock = context.clock
        let schedule = clock.schedule
        var state = DriverState(context: context)
        var batch: [(at: Instant, event: LoadEvent)] = []
        while !context.isStopped {
            let wall = clock.wallNow()
            guard wall < schedule.wallEnd else { break }
            let now = schedule.simulated(atWall: wall)
            batch.removeAll(keepingCapacity: true)
            let next: Instant? = queue.withLock { queue in
                while batch.count < 256, let item = queue.pop(through: now) { batch.append(item) }
                return batch.isEmpty ? queue.nextInstant() : nil
            }
            if batch.isEmpty {
                // Nothing due: sleep until the next event (at most a millisecond: other drivers and the
                // shards may schedule something sooner).
                let wake = next.map { schedule.wall(atSimulated: $0) - wall } ?? 1_000_000
                try? await Task.sleep(for: .nanoseconds(min(max(wake, 20_000), 1_000_000)))
                continue
            }
            for (due, event) in batch {
                let started = clock.wallNow()
                statistics.withLock {
                    $0.dispatched(
                        lag: started - schedule.wall(atSimulated: due), step: schedule.step(atWall: started))
                }
                await fire(event, due: due, context, &state)
            }
            // Let other tasks have the thread even when every call returned without suspending.
            await Task.yield()
        }
    }

    private func fire(_ event: LoadEvent, due: Instant, _ context: LoadContext, _ state: inout DriverState) async {
        switch event {
        case .client(let client, let input):
            state.clientEffects.removeAll(keepingCapacity: true)
            await context.clients[client.index].handle(input, due: due, into: &state.clientEffects)
            state.router.route(state.clientEffects, of: client, now: due, host: &state.host)
        case .uplink(let client, let message):
            await call(
                .message(from: client, message), kind: OperationKind(message), shard: context.queues.shard(of: client),
                due: due, context)
        case .ping(let client, let id):
            let input = state.router.ping(client, id, now: due, host: &state.host)
            await call(input, kind: .ping, shard: context.queues.shard(of: client), due: due, context)
        case .shard(let shard, let input):
            await call(input, kind: nil, shard: shard, due: due, context)
        case .clientFault(let index):
            let clients = stride(from: self.index, to: context.population.clientCount, by: context.drivers.count)
            state.router.clientFault(index, clients: clients, now: due, host: &state.host)
        }
    }

    /// Performs `input` on a shard through the test's target, timing operations (a `kind`); the shard routes
    /// what it causes. An operation the target failed is not achieved.
    private func call(_ input: ServerInput, kind: OperationKind?, shard: Int, due: Instant, _ context: LoadContext)
        async
    {
        let clock = context.clock
        let call = await context.target.perform(input, on: context.shards[shard], due: due, clock: clock)
        let step = clock.schedule.step(atWall: clock.wallNow())
        statistics.withLock { statistics in
            if let kind, let latency = call.latency { statistics.finished(kind, latency: latency, step: step) }
            statistics.delivered(call.deliveries, step: step)
        }
    }
}

/// A driver's working state, owned by its task.
struct DriverState {
    var clientEffects: [ClientEffect] = []
    /// The router for the driver's own clients: their uplinks and the sockets pings reach.
    var router: Router
    var host: LoadHost

    init(context: LoadContext) {
        router = context.router
        host = LoadHost(queues: context.queues, shard: nil)
    }
}

/// The load test's side of the router: due work goes into the queue of the driver that owns it, and
/// operations are counted as offered in the step their simulated instant falls in.
struct LoadHost: RouterHost {
    let queues: LoadQueues
    /// The shard whose effects are routed, or nil for a client's effects and the opening.
    let shard: Int?
    /// The store's views of clients, for the entries that lapse (kept by shards).
    var lapses = LapseTracker()
    /// When the input being handled was due (lapses it causes are the tester's when it ran late).
    var due = Instant.zero
    /// Messages the shard sent to clients while handling the input.
    var deliveries = 0

    mutating func uplink(_ message: Uplink, from client: ClientID, arrivesAt at: Instant) {
        let driver = queues.driver(of: client)
        driver.schedule(.uplink(client, message), at: at)
        let step = queues.clock.schedule.step(atSimulated: at)
        driver.statistics.withLock { $0.offered(OperationKind(message), step: step) }
    }

    mutating func schedule(_ input: ServerInput, at: Instant) {
        if let shard {
            queues.driver(ofShard: shard).schedule(.shard(shard, input), at: at)
        } else {
            // A fault at the opening: every shard goes through it.
            for shard in 0..<queues.shardCount { queues.driver(ofShard: shard).schedule(.shard(shard, input), at: at) }
        }
    }

    mutating func schedule(_ input: ClientInput, for client: ClientID, at: Instant) {
        queues.driver(of: client).schedule(.client(client, input), at: at)
    }

    mutating func schedulePing(_ client: ClientID, _ id: ConnectionID, at: Instant) {
        let driver = queues.driver(of: client)
        driver.schedule(.ping(client, id), at: at)
        let step = queues.clock.schedule.step(atSimulated: at)
        driver.statistics.withLock { $0.offered(.ping, step: step) }
    }

    mutating func scheduleClientFault(_ fault: Int, at: Instant) {
        for driver in queues.drivers { driver.schedule(.clientFault(fault), at: at) }
    }

    mutating func delivered(_ message: Inbound, to client: ClientID, bytes: Int, now: Instant) { deliveries += 1 }

    mutating func observe(_ effect: ServerEffect, now: Instant) {
        // An entry lapses when its key runs out before the next refresh.
        if case .storeView(let client, _, let keyUntil) = effect {
            lapses.storeView(client, presentUntil: keyUntil, now: now, due: due)
        }
    }
}
