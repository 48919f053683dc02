import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a Redis server is and how to talk to it: host, port, credentials, database and timeouts.
///
/// Its descriptions (``description``, ``debugDescription`` and its mirror) never show the password.
public struct RedisConfiguration: Sendable, Hashable {
    /// Redis's default port.
    public static let defaultPort = 6379

    /// A host name or an IP address (IPv6 without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The ACL user for `AUTH`; nil authenticates as the default user.
    public var username: String?
    /// The password for `AUTH`; nil sends no `AUTH`.
    public var password: String?
    /// The database to `SELECT` after connecting; 0 selects none (0 is the default database).
    public var database: Int
    /// How long connecting may take, including `AUTH`, `SELECT` and a first `PING`. Default 3 s.
    public var connectTimeout: Duration
    /// How long a command or pipeline may wait for its replies before the connection is closed. Default 10 s.
    public var commandTimeout: Duration
    /// The bounds on what the server may send.
    public var parserLimits: RESPParser.Limits
    /// TLS for the connections (`rediss://`); nil speaks plain TCP (`redis://`).
    public var tls: RedisTLS?

    /// A configuration with the given fields.
    public init(
        host: String,
        port: Int = RedisConfiguration.defaultPort,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(3),
        commandTimeout: Duration = .seconds(10),
        parserLimits: RESPParser.Limits = RESPParser.Limits(),
        tls: RedisTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.parserLimits = parserLimits
        self.tls = tls
    }

    /// Reads `redis://[[user:]password@]host[:port][/db]`, or `rediss://…` for Redis over TLS.
    ///
    /// As with `redis-cli -u`, user information without a colon is a password, `user:password` is an ACL user
    /// and its password, and `:password` is the default user's password; both may be percent-encoded. IPv6
    /// addresses go in brackets (`redis://[::1]:6379`). The port defaults to 6379 and the database to 0. When
    /// the URL has no password, `environmentPassword` is used, which defaults to `REDIS_PASSWORD` from the
    /// process environment (so the password need not appear on a command line); an empty one counts as none.
    /// `rediss://` sets ``tls`` to verify the server against the system's trust roots; set ``tls`` to verify
    /// against other certificate authorities.
    ///
    /// - Throws: ``RedisTargetError/invalidURL(_:)`` for anything it cannot read.
    public init(
        url: String,
        environmentPassword: String? = RedisConfiguration.passwordFromEnvironment
    ) throws(RedisTargetError) {
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw .invalidURL("expected redis://host:port, got '\(Self.redacted(url))'")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "redis" || scheme == "rediss" else {
            throw .invalidURL("the scheme must be redis:// or rediss:// (TLS), not \(scheme)://")
        }
        var rest = url[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw .invalidURL("query parameters and fragments are not supported")
        }

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try Self.percentDecoded(userInfo[..<colon], part: "user name")
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], part: "password")
            } else {
                password = try Self.percentDecoded(userInfo, part: "password")
            }
        }

        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw .invalidURL("the database must be a number such as /0, not /\(path)")
                }
                database = number
            }
        }

        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidURL("an IPv6 address needs its closing bracket")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let afterHost = rest[rest.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else {
                    throw .invalidURL("expected :port after the IPv6 address")
                }
                portText = afterHost.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            guard !portText!.contains(":") else {
                throw .invalidURL("an IPv6 address goes in brackets: redis://[::1]:6379")
            }
        } else {
            host = rest
        }
        guard !host.isEmpty else {
            throw .invalidURL("no host in '\(Self.redacted(url))'")
        }
        var port = Self.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw .invalidURL("the port must be a number from 1 to 65535, not '\(portText)'")
            }
            port = number
        }

        if password?.isEmpty ?? true {
            password = environmentPassword.flatMap { $0.isEmpty ? nil : $0 }
        }
        self.init(
            host: String(host),
            port: port,
            username: username.flatMap { $0.isEmpty ? nil : $0 },
            password: password,
            database: database,
            tls: scheme == "rediss" ? RedisTLS() : nil
        )
    }

    /// `REDIS_PASSWORD` from the process environment, or nil when it is not set.
    public static var passwordFromEnvironment: String? {
        getenv("REDIS_PASSWORD").map { String(cString: $0) }
    }

    /// Whether the target is this machine: a loopback address (127.0.0.0/8, ::1, IPv4-mapped 127.x) or the
    /// name `localhost`. The load test refuses other targets unless told otherwise.
    public var isLoopback: Bool {
        Self.isLoopback(host: self.host)
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, `::1` in any spelling, `::ffff:127.x.y.z`) or the name
    /// `localhost` (any case, optionally with a trailing dot). Other names are not resolved and count as remote.
    public static func isLoopback(host: String) -> Bool {
        var host = Substring(host)
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        let lowercased = host.lowercased()
        if lowercased == "localhost" || lowercased == "localhost." {
            return true
        }
        // Reads IPv4 and IPv6 literals only (inet_pton), and prints IPv6 in its canonical form (inet_ntop).
        guard let address = try? SocketAddress(ipAddress: String(host), port: 0), let text = address.ipAddress else {
            return false
        }
        switch address.protocol {
        case .inet:
            return text.hasPrefix("127.")
        case .inet6:
            return text == "::1" || text.hasPrefix("::ffff:127.")
        default:
            return false
        }
    }

    private static func percentDecoded(_ text: Substring, part: String) throws(RedisTargetError) -> String {
        guard text.contains("%") else {
            return String(text)
        }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            let hex = utf8.prefix(2)
            guard hex.count == 2, let value = UInt8(String(decoding: hex, as: UTF8.self), radix: 16) else {
                throw .invalidURL("bad percent-encoding in the \(part)")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `url` with any user information replaced, for error messages.
    private static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else {
            return url
        }
        return "***" + url[at...]
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The target as a URL, with `***` in place of the password.
    public var description: String {
        var text = self.tls == nil ? "redis://" : "rediss://"
        if let username {
            text += username
        }
        if self.password != nil {
            text += ":***"
        }
        if self.username != nil || self.password != nil {
            text += "@"
        }
        text += self.host.contains(":") ? "[\(self.host)]" : self.host
        text += ":\(self.port)/\(self.database)"
        return text
    }

    /// The same as ``description``: the password is never shown.
    public var debugDescription: String {
        self.description
    }

    /// A mirror with the password left out, so that `dump` does not show it either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "target": self.description, "connectTimeout": self.connectTimeout,
                "commandTimeout": self.commandTimeout,
            ]
        )
    }
}
