import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS for a `rediss://` target: which certificates the server's certificate is checked against.
///
/// The name checked, and sent for SNI, is the configuration's host; when the host is an IP address, no SNI is
/// sent and the certificate must carry that address as an IP subject alternative name.
public struct RedisTLS: Sendable, Hashable {
    /// How the server's certificate is verified.
    public enum Verification: Sendable, Hashable {
        /// Against the system's trust roots.
        case systemTrustRoots
        /// Against the certificate authorities in this PEM file only.
        case certificateAuthorities(file: String)
        /// Not at all: any certificate is accepted, so anyone between the client and the server can read and
        /// change the traffic. For a test server with a self-signed certificate only.
        case none
    }

    /// How the server's certificate is verified.
    public let verification: Verification
    /// The context, made once for all the connections of a configuration.
    private let cache = ContextCache()

    /// TLS with the given verification.
    public init(verification: Verification = .systemTrustRoots) {
        self.verification = verification
    }

    /// Reads the certificate authorities (if any) and makes the TLS context, so that a bad file is reported
    /// before connecting.
    ///
    /// - Throws: ``RedisTargetError/tlsConfiguration(_:)`` when the file cannot be read or holds no PEM
    ///   certificate.
    public func validate() throws(RedisTargetError) {
        _ = try self.context()
    }

    /// The TLS context for the connections, made on first use.
    func context() throws(RedisTargetError) -> NIOSSLContext {
        if let context = self.cache.context.withLockedValue({ $0 }) {
            return context
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch self.verification {
        case .systemTrustRoots:
            tls.trustRoots = .default
        case .certificateAuthorities(let file):
            tls.trustRoots = .certificates(try Self.certificates(file))
        case .none:
            tls.certificateVerification = .none
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw .tlsConfiguration("could not set up TLS: \(error)")
        }
        self.cache.context.withLockedValue { $0 = context }
        return context
    }

    /// The handlers that go first in a connection's pipeline: TLS, and the translation of its failures.
    func handlers(host: String, port: Int, handshake: TLSHandshake) throws -> [any ChannelHandler] {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let tls = try NIOSSLClientHandler(context: self.context(), serverHostname: isAddress ? nil : host)
        return [tls, TLSFailureHandler(host: host, port: port, handshake: handshake)]
    }

    private static func certificates(_ file: String) throws(RedisTargetError) -> [NIOSSLCertificate] {
        guard access(file, R_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .tlsConfiguration("cannot read the CA file \(file): \(reason)")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(file)
        } catch {
            throw .tlsConfiguration("the CA file \(file) is not a PEM file of certificates (\(error))")
        }
        guard !certificates.isEmpty else {
            throw .tlsConfiguration("the CA file \(file) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }

    public static func == (lhs: RedisTLS, rhs: RedisTLS) -> Bool {
        lhs.verification == rhs.verification
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.verification)
    }

    private final class ContextCache: Sendable {
        let context = NIOLockedValueBox<NIOSSLContext?>(nil)
    }
}

/// How a connection's TLS handshake went: whether it completed, or why it failed, kept apart from the channel,
/// which may be closed (and its handlers gone) before the connection's first command is written.
final class TLSHandshake: Sendable {
    private let state = NIOLockedValueBox<(completed: Bool, failure: RedisTargetError?)>((false, nil))

    var completed: Bool { self.state.withLockedValue { $0.completed } }

    /// Why the handshake failed, once it has.
    var failure: RedisTargetError? { self.state.withLockedValue { $0.failure } }

    func complete() { self.state.withLockedValue { $0.completed = true } }

    func fail(_ error: RedisTargetError) {
        self.state.withLockedValue { state in
            if state.failure == nil { state.failure = error }
        }
    }

    /// The error for a connection that timed out before its handshake completed: it says TLS.
    func timeoutError(_ configuration: RedisConfiguration) -> RedisTargetError? {
        guard !self.completed else {
            return nil
        }
        return .tlsHandshakeFailed(
            host: configuration.host, port: configuration.port,
            reason: "no TLS handshake within \(configuration.connectTimeout): is that port a TLS port?")
    }
}

/// Turns a failed TLS handshake into ``RedisTargetError/tlsHandshakeFailed(host:port:reason:)`` for the handlers
/// after it, and records when the handshake completes.
final class TLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let host: String
    private let port: Int
    private let handshake: TLSHandshake

    init(host: String, port: Int, handshake: TLSHandshake) {
        self.host = host
        self.port = port
        self.handshake = handshake
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            self.handshake.complete()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !self.handshake.completed, !(error is RedisTargetError) else {
            context.fireErrorCaught(error)
            return
        }
        let failure = RedisTargetError.tlsHandshakeFailed(host: self.host, port: self.port, reason: Self.reason(error))
        self.handshake.fail(failure)
        context.fireErrorCaught(failure)
    }

    /// What went wrong, as BoringSSL names it (`CERTIFICATE_VERIFY_FAILED` becomes "certificate verify failed").
    static func reason(_ error: any Error) -> String {
        switch error {
        case NIOSSLError.handshakeFailed(.sslError(let stack)), NIOSSLError.handshakeFailed(.unknownError(let stack)):
            let names = stack.map { Self.name(String(describing: $0)) }
            guard !names.isEmpty else { break }
            let reason = names.joined(separator: "; ")
            if names.contains("certificate verify failed") {
                return reason + " (the server's certificate is not signed by a trusted certificate authority)"
            }
            if names.contains("eof during handshake") {
                return "the server closed the connection during the handshake: is that port a TLS port?"
            }
            if names.contains("wrong version number") || names.contains("packet length too long") {
                return reason + " (the server did not answer in TLS: is that port a TLS port?)"
            }
            return reason
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "the server's certificate is not for this host (\(error))"
        case NIOSSLError.uncleanShutdown:
            return "the server closed the connection during the handshake: is that port a TLS port?"
        default:
            break
        }
        return String(describing: error)
    }

    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line`
    /// → `certificate verify failed`.
    private static func name(_ description: String) -> String {
        var text = Substring(description)
        if let at = text.firstRange(of: " at ") {
            text = text[..<at.lowerBound]
        }
        if let colon = text.lastIndex(of: ":") {
            text = text[text.index(after: colon)...]
        }
        return text.lowercased().split(whereSeparator: { $0 == "_" || $0 == " " }).joined(separator: " ")
    }
}
