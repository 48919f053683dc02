import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM during a long command: the first asks the run to stop and keep what it
/// measured; a second one exits at once.
final class Interruption: @unchecked Sendable {
    // @unchecked Sendable: `received` is read by the simulation thread and written by the signal
    // source's queue, always under `lock`.
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Starts listening for SIGINT and SIGTERM.
    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.receive(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    private func receive(_ signalNumber: Int32) {
        let first = lock.withLock {
            defer { received = received ?? signalNumber }
            return received == nil
        }
        if first {
            FileHandle.standardError.write(
                Data("\nstopping: writing what was measured so far (press Ctrl-C again to quit at once)\n".utf8))
        } else {
            exit(128 + signalNumber)
        }
    }

    /// Whether a signal asked the command to stop.
    var requested: Bool { lock.withLock { received != nil } }

    /// The exit code for the signal received: 130 for SIGINT, 143 for SIGTERM.
    var exitCode: Int32? { lock.withLock { received.map { 128 + $0 } } }
}
