import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TCP connection to a Redis server, speaking RESP2 (over TLS for ``RedisConfiguration/tls``), with any
/// number of commands in flight.
///
/// Commands are written as they are sent, without waiting for earlier replies; replies come back in the order
/// of the commands, and the connection hands each to the command that is first in line. Every command ends: with
/// its reply, with ``RedisTargetError/timeout(after:)`` after ``RedisConfiguration/commandTimeout``, or with an
/// error as soon as the connection closes or fails. Cancelling the task that waits does not withdraw a command
/// already written (its reply must still be read for the order to hold): ``close()`` ends every command at once.
/// It does not reconnect: a load test treats a lost connection as a result, not as something to hide.
public final class RedisConnection: RedisClient {
    /// The server this connection talks to, and its timeouts.
    public let configuration: RedisConfiguration
    private let channel: any Channel
    private let closedByClient = NIOLockedValueBox(false)

    private init(channel: any Channel, configuration: RedisConfiguration) {
        self.channel = channel
        self.configuration = configuration
    }

    /// Connects, authenticates when the configuration has a password, selects its database and checks the
    /// connection with a `PING`, all within ``RedisConfiguration/connectTimeout``.
    ///
    /// - Throws: ``RedisTargetError/connectionRefused(host:port:)``,
    ///   ``RedisTargetError/connectTimeout(host:port:after:)``, ``RedisTargetError/connectFailed(host:port:reason:)``,
    ///   ``RedisTargetError/authenticationRequired`` when the server wants a password and none was given,
    ///   ``RedisTargetError/invalidPassword(_:)`` when it refused the one given,
    ///   ``RedisTargetError/server(_:)`` when `SELECT` fails, and, with TLS,
    ///   ``RedisTargetError/tlsConfiguration(_:)`` and ``RedisTargetError/tlsHandshakeFailed(host:port:reason:)``.
    public static func connect(
        to configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnection {
        try await connect(to: configuration, eventLoopGroup: eventLoopGroup, pushes: nil)
    }

    /// Connects as ``connect(to:eventLoopGroup:)`` does and subscribes to the channels matching `pattern`
    /// (`PSUBSCRIBE`): the server then pushes a message for each publication, and `onMessage` gets its
    /// channel and payload, on the connection's event loop, in the order they came.
    ///
    /// A subscribed connection takes no other commands but (P)SUBSCRIBE, (P)UNSUBSCRIBE and PING (RESP2);
    /// ``close()`` ends the subscription.
    public static func subscribe(
        to configuration: RedisConfiguration, pattern: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onMessage: @escaping @Sendable (_ channel: String, _ message: String) -> Void
    ) async throws -> RedisConnection {
        let connection = try await connect(
            to: configuration, eventLoopGroup: eventLoopGroup,
            pushes: { parts in
                // `pmessage pattern channel payload`
                guard parts.count == 4, let channel = parts[2].stringValue, let message = parts[3].stringValue else {
                    return
                }
                onMessage(channel, message)
            })
        do {
            let reply = try await connection.submit([["PSUBSCRIBE", pattern]], timeout: configuration.commandTimeout)
            guard let parts = reply.first?.arrayValue, parts.first?.stringValue == "psubscribe" else {
                throw RedisTargetError.unexpectedReply(command: "PSUBSCRIBE", reply: reply.first ?? .array(nil))
            }
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    private static func connect(
        to configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup,
        pushes: (@Sendable ([RESPValue]) -> Void)?
    ) async throws -> RedisConnection {
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let deadline = NIODeadline.now() + connectTimeout
        let limits = configuration.parserLimits
        // Made here rather than per channel, so that a bad CA file is reported as itself.
        _ = try configuration.tls?.context()
        let tlsHandshake = TLSHandshake()
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = configuration.tls {
                        try channel.pipeline.syncOperations.addHandlers(
                            tls.handlers(host: configuration.host, port: configuration.port, handshake: tlsHandshake))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RESPValueDecoder(limits: limits)),
                        RedisCommandHandler(pushes: pushes)
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw tlsHandshake.failure ?? Self.connectError(error, configuration: configuration)
        }
        let connection = RedisConnection(channel: channel, configuration: configuration)
        do {
            try await connection.handshake(deadline: deadline, tls: configuration.tls == nil ? nil : tlsHandshake)
        } catch {
            await connection.close()
            // A failed handshake may close the channel before the first command is written, which then fails
            // as a lost connection: the handshake's failure says why.
            throw tlsHandshake.failure ?? error
        }
        return connection
    }

    /// Whether the connection is still open.
    public var isActive: Bool {
        self.channel.isActive
    }

    public func send(_ command: [String]) async throws -> RESPValue {
        let reply = try await self.submit([command], timeout: self.configuration.commandTimeout)[0]
        if case .error(let message) = reply {
            throw RedisTargetError.fromErrorReply(message)
        }
        return reply
    }

    public func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        try await self.submit(commands, timeout: self.configuration.commandTimeout)
    }

    public func close() async {
        self.closedByClient.withLockedValue { $0 = true }
        // Closing a channel that the server already closed fails with `alreadyClosed`: nothing to do then.
        try? await self.channel.close()
    }

    private func submit(_ commands: [[String]], timeout: Duration) async throws -> [RESPValue] {
        guard !commands.isEmpty else {
            return []
        }
        guard !commands.contains(where: \.isEmpty) else {
            throw RedisTargetError.emptyCommand
        }
        let promise = self.channel.eventLoop.makePromise(of: [RESPValue].self)
        let request = RedisRequest(commands: commands, timeout: timeout, promise: promise)
        // The handler completes the promise; this covers a channel whose handlers are gone because it closed.
        self.channel.writeAndFlush(request).whenFailure { [closedByClient] error in
            let closed = closedByClient.withLockedValue { $0 }
            promise.fail((error as? RedisTargetError) ?? (closed ? .connectionClosed : .connectionLost))
        }
        return try await promise.futureResult.get()
    }

    /// `AUTH` (when there is a password), `SELECT` (for a database other than 0) and `PING`, in one round trip.
    private func handshake(deadline: NIODeadline, tls: TLSHandshake?) async throws {
        var commands: [[String]] = []
        if let password = self.configuration.password {
            commands.append(["AUTH"] + (self.configuration.username.map { [$0] } ?? []) + [password])
        }
        if self.configuration.database != 0 {
            commands.append(["SELECT", String(self.configuration.database)])
        }
        commands.append(["PING"])
        let remaining = deadline - NIODeadline.now()
        let replies: [RESPValue]
        do {
            replies = try await self.submit(commands, timeout: .nanoseconds(max(remaining.nanoseconds, 1)))
        } catch RedisTargetError.timeout {
            if let error = tls?.timeoutError(self.configuration) {
                throw error
            }
            throw RedisTargetError.connectTimeout(
                host: self.configuration.host,
                port: self.configuration.port,
                after: self.configuration.connectTimeout
            )
        }
        for (command, reply) in zip(commands, replies) {
            guard case .error(let message) = reply else {
                continue
            }
            if command[0] == "AUTH", !message.hasPrefix("NOAUTH") {
                throw RedisTargetError.invalidPassword(message)
            }
            throw RedisTargetError.fromErrorReply(message)
        }
    }

    private static func connectError(_ error: any Error, configuration: RedisConfiguration) -> RedisTargetError {
        let host = configuration.host
        let port = configuration.port
        switch error {
        case let error as NIOConnectionError:
            let failures = error.connectionErrors.map { connectError($0.error, configuration: configuration) }
            if failures.contains(.connectionRefused(host: host, port: port)) {
                return .connectionRefused(host: host, port: port)
            }
            if let failure = failures.first {
                return failure
            }
            if let dnsError = error.dnsAError ?? error.dnsAAAAError {
                return .connectFailed(host: host, port: port, reason: "the host name did not resolve (\(dnsError))")
            }
            return .connectFailed(host: host, port: port, reason: String(describing: error))
        case ChannelError.connectTimeout:
            return .connectTimeout(host: host, port: port, after: configuration.connectTimeout)
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return .connectionRefused(host: host, port: port)
        default:
            return .connectFailed(host: host, port: port, reason: String(describing: error))
        }
    }
}

/// Commands on their way to the ``RedisCommandHandler``, with the promise for their replies.
struct RedisRequest: Sendable {
    var commands: [[String]]
    var timeout: Duration
    var promise: EventLoopPromise<[RESPValue]>
}

/// Writes requests and matches the replies to them in order; fails them all when the channel ends.
///
/// All its state is used on the channel's event loop only, as for any channel handler.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    /// A request written and not yet fully answered.
    private struct Pending {
        let id: UInt64
        let promise: EventLoopPromise<[RESPValue]>
        let expected: Int
        let timer: Scheduled<Void>
    }

    private var pending = CircularBuffer<Pending>()
    /// Where pushed pub/sub messages (`pmessage …`) go on a subscribed connection; nil on a command
    /// connection, where anything unasked for is a protocol error.
    private let pushes: (@Sendable ([RESPValue]) -> Void)?

    init(pushes: (@Sendable ([RESPValue]) -> Void)? = nil) { self.pushes = pushes }
    /// The replies so far to the first pending request. Kept out of `pending`, whose subscript has no in-place
    /// access: appending through it would copy the array on every reply.
    private var firstReplies: [RESPValue] = []
    private var nextID: UInt64 = 0
    /// Why the channel can no longer be used, once it cannot; requests written after that fail with it.
    private var failure: RedisTargetError?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = Self.unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands {
            RESPCommandEncoder.encode(command, into: &buffer)
        }
        let id = self.nextID
        self.nextID &+= 1
        let timeout = request.timeout
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.timedOut(id: id, after: timeout, context: context)
        }
        self.pending.append(Pending(id: id, promise: request.promise, expected: request.commands.count, timer: timer))
        context.write(Self.wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = Self.unwrapInboundIn(data)
        if let pushes, let parts = value.arrayValue, parts.first?.stringValue == "pmessage" {
            pushes(parts)
            return
        }
        guard let first = self.pending.first else {
            self.failAll(.unexpectedReply(command: "nothing (no command was waiting)", reply: value))
            context.close(promise: nil)
            return
        }
        if self.firstReplies.isEmpty {
            self.firstReplies.reserveCapacity(first.expected)
        }
        self.firstReplies.append(value)
        if self.firstReplies.count == first.expected {
            self.pending.removeFirst()
            first.timer.cancel()
            let replies = self.firstReplies
            self.firstReplies = []
            first.promise.succeed(replies)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(self.failure ?? .connectionLost)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as RESPDecodingError:
            self.failAll(.protocolError(error))
        case let error as RedisTargetError:
            self.failAll(error)
        default:
            self.failAll(.connectionLost)
        }
        context.close(promise: nil)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if self.failure == nil {
            self.failure = .connectionClosed
        }
        context.close(mode: mode, promise: promise)
    }

    private func timedOut(id: UInt64, after timeout: Duration, context: ChannelHandlerContext) {
        guard self.pending.contains(where: { $0.id == id }) else {
            return
        }
        // The reply may still come, and would then be taken for the next command's: the connection must go.
        self.failAll(.timeout(after: timeout))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisTargetError) {
        if self.failure == nil {
            self.failure = error
        }
        let failed = self.pending
        self.pending.removeAll()
        self.firstReplies = []
        for request in failed {
            request.timer.cancel()
            request.promise.fail(error)
        }
    }
}
