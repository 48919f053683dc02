import Foundation

/// A value behind a lock, for the few places the load test shares mutable state between threads.
///
/// It is a pthread mutex (through `NSLock`) rather than the standard library's `Mutex` because
/// ThreadSanitizer sees a pthread mutex's ordering, and not that of `Mutex`'s futex inside the
/// uninstrumented runtime: with `Mutex`, the sanitizer reported every locked access as a race.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
