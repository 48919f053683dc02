/// What went wrong talking to a Redis server, with a message that says what to check.
///
/// An enum rather than a struct with a code: callers such as the load test switch on the case (stop the run on
/// `.connectionLost`, count `.server` replies) and the cases carry different details.
public enum RedisTargetError: Error, Hashable, CustomStringConvertible {
    /// The target URL could not be read; the message says which part and what was expected.
    case invalidURL(String)
    /// The TLS settings cannot be used, such as a CA file that cannot be read or holds no certificate.
    case tlsConfiguration(String)
    /// The TLS handshake with a `rediss://` server failed: its certificate was not trusted or not for the host,
    /// or the server does not speak TLS on that port.
    case tlsHandshakeFailed(host: String, port: Int, reason: String)
    /// Nothing listens on the port: the connection was refused.
    case connectionRefused(host: String, port: Int)
    /// The connection, including authentication and database selection, did not complete in time.
    case connectTimeout(host: String, port: Int, after: Duration)
    /// Any other failure to connect, such as a host name that does not resolve.
    case connectFailed(host: String, port: Int, reason: String)
    /// The server requires a password and none was given (the server's `NOAUTH` reply).
    case authenticationRequired
    /// The server refused the credentials given (`WRONGPASS`, or a password sent to a server that has none);
    /// carries the server's message.
    case invalidPassword(String)
    /// The server answered a command with an error reply, such as `WRONGTYPE ...` or `OOM ...`; carries the
    /// server's message.
    case server(String)
    /// A command had no reply in time. The connection is closed, since later replies could no longer be matched
    /// to their commands.
    case timeout(after: Duration)
    /// The connection closed or failed while commands were outstanding, or before a command was sent.
    case connectionLost
    /// The connection was closed with ``RedisClient/close()`` before the command was answered or sent.
    case connectionClosed
    /// The server sent bytes that are not valid RESP2; the connection is closed.
    case protocolError(RESPDecodingError)
    /// A command had no name: Redis does not answer an empty command, so it is not sent.
    case emptyCommand
    /// A reply did not have the shape the command's helper expects, such as a `SCAN` reply that is not a
    /// cursor and an array of keys.
    case unexpectedReply(command: String, reply: RESPValue)

    public var description: String {
        switch self {
        case .invalidURL(let message):
            return "invalid Redis URL: \(message)"
        case .tlsConfiguration(let message):
            return "TLS: \(message)"
        case .tlsHandshakeFailed(let host, let port, let reason):
            return "TLS handshake with \(Self.endpoint(host, port)) failed: \(reason)"
        case .connectionRefused(let host, let port):
            return "connection refused by \(Self.endpoint(host, port)): is redis-server running on that port?"
        case .connectTimeout(let host, let port, let after):
            return "no connection to \(Self.endpoint(host, port)) within \(after): check the host, port and firewall"
        case .connectFailed(let host, let port, let reason):
            return "could not connect to \(Self.endpoint(host, port)): \(reason)"
        case .authenticationRequired:
            return "the server requires a password (NOAUTH): give it as redis://:PASSWORD@host or in REDIS_PASSWORD"
        case .invalidPassword(let message):
            return "the server refused the credentials: \(message)"
        case .server(let message):
            return "the server replied with an error: \(message)"
        case .timeout(let after):
            return "no reply within \(after); the connection was closed"
        case .connectionLost:
            return "the connection to the server was lost"
        case .connectionClosed:
            return "the connection was closed by the client"
        case .protocolError(let error):
            return "the server's reply could not be read (\(error)); the connection was closed"
        case .emptyCommand:
            return "a command needs at least its name"
        case .unexpectedReply(let command, let reply):
            return "unexpected reply to \(command): \(String(String(describing: reply).prefix(200)))"
        }
    }

    /// The error a command's error reply stands for: the authentication errors get their own case.
    static func fromErrorReply(_ message: String) -> RedisTargetError {
        if message.hasPrefix("NOAUTH") {
            return .authenticationRequired
        }
        if message.hasPrefix("WRONGPASS") {
            return .invalidPassword(message)
        }
        return .server(message)
    }

    private static func endpoint(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
