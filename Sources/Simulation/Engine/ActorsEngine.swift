import DequeModule
import PresenceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A serial executor that runs every job on the thread that drives it, in the order jobs arrive.
///
/// All simulated actors return it as their executor, and the engine's driving task prefers it as its
/// task executor, so a run is one thread hopping between actors in a defined order: the virtual clock
/// (the event queue) decides what happens next, never the scheduler.
final class VirtualTimeExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` is touched only by the owning thread; `enqueue` and `checkIsolated`
    // check that, so a job arriving from any other thread (a stray `Task {}` without executor
    // preference, a wall-clock sleep) stops the run instead of corrupting the queue.
    private var jobs = Deque<UnownedJob>()
    private let owner = pthread_self()

    func enqueue(_ job: consuming ExecutorJob) {
        precondition(pthread_equal(pthread_self(), owner) != 0, "a job was enqueued from outside the simulation thread")
        jobs.append(UnownedJob(job))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    func checkIsolated() {
        precondition(pthread_equal(pthread_self(), owner) != 0, "not on the simulation thread")
    }

    /// Runs jobs until none is left.
    func drain() {
        while let job = jobs.popFirst() {
            job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        }
    }
}

/// A pure model an engine drives: an input and the current instant in, effects out.
protocol SimulationModel: Sendable {
    associatedtype Input
    associatedtype Effect
    mutating func handle(_ input: Input, now: Instant, into effects: inout [Effect])
}

extension ClientModel: SimulationModel {}
extension PresenceServer: SimulationModel {}

/// A model as an actor on the virtual-time executor: a simulated client, or the presence server. It owns
/// its model and is reached only through it.
actor VirtualTimeActor<Model: SimulationModel> {
    private let executor: VirtualTimeExecutor
    private var model: Model

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(model: Model, executor: VirtualTimeExecutor) {
        self.model = model
        self.executor = executor
    }

    func handle(_ input: Model.Input, now: Instant, into effects: inout [Model.Effect]) {
        model.handle(input, now: now, into: &effects)
    }
}

/// The `actors` engine: one actor per client and one for the server, on one virtual-time executor.
///
/// The driving task takes each step from the shared core and awaits the actor it belongs to. Every
/// actor runs on the same serial executor, so a call is a hop on one thread, and the order of steps
/// is exactly the `events` engine's: the results agree event for event.
enum ActorsEngine {
    /// Runs to the end on the calling thread; returns true if stopped early.
    static func run(_ core: inout SimulationCore, clients: [ClientModel], server: PresenceServer, watcher: RunWatcher)
        -> Bool
    {
        let executor = VirtualTimeExecutor()
        let box = CoreBox(core)
        _ = Task(executorPreference: executor) {
            let actors = clients.map { VirtualTimeActor(model: $0, executor: executor) }
            let serverActor = VirtualTimeActor(model: server, executor: executor)
            return await drive(box, clients: actors, server: serverActor, watcher: watcher)
        }
        executor.drain()
        core = box.core
        // Everything ran on this thread and the queue is empty, so the task has finished.
        return box.stopped
    }

    /// The driving loop. It is isolated to the server actor, so it runs on the virtual-time executor
    /// itself: a call to a client actor on the same executor then switches actors on this thread, with no
    /// job enqueued. (A nonisolated loop runs on the task executor, and every call to an actor would be a
    /// job there and another one back.)
    private static func drive(
        _ box: CoreBox, clients: [VirtualTimeActor<ClientModel>], server: isolated VirtualTimeActor<PresenceServer>,
        watcher: RunWatcher
    ) async -> Bool {
        var core = box.core
        defer { box.core = core }
        var clientEffects: [ClientEffect] = []
        var serverEffects: [ServerEffect] = []
        while let step = core.next() {
            switch step {
            case .client(let client, let input, let now):
                clientEffects.removeAll(keepingCapacity: true)
                await clients[client.index].handle(input, now: now, into: &clientEffects)
                core.apply(clientEffects, of: client)
            case .server(let input, let now):
                serverEffects.removeAll(keepingCapacity: true)
                server.handle(input, now: now, into: &serverEffects)
                core.apply(serverEffects, of: input)
            }
            if watcher.check(core) {
                core.stop()
                box.stopped = true
                return true
            }
        }
        return false
    }
}

/// Hands the core to the driving task and back.
private final class CoreBox: @unchecked Sendable {
    // @unchecked Sendable: the box is written by the calling thread before the task starts and read
    // after `drain()` returns; the task runs on that same thread in between.
    var core: SimulationCore
    var stopped = false
    init(_ core: SimulationCore) { self.core = core }
}
