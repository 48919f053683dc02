/// A connection, or a set of them, that sends Redis commands and returns their replies.
///
/// The load test is written against this protocol, so a maintained client (RediStack, valkey-swift) can stand
/// in for ``RedisConnection`` and ``RedisConnectionPool`` behind a small adapter. Implementations in this module
/// throw only ``RedisTargetError``; an adapter SHOULD map its client's errors onto it.
public protocol RedisClient: Sendable {
    /// Sends one command (its name, then its arguments) and returns its reply.
    ///
    /// An error reply throws: ``RedisTargetError/authenticationRequired`` for `NOAUTH`,
    /// ``RedisTargetError/invalidPassword(_:)`` for `WRONGPASS` and ``RedisTargetError/server(_:)`` for any
    /// other, such as `WRONGTYPE` or `OOM`.
    func send(_ command: [String]) async throws -> RESPValue

    /// Sends the commands in one write without waiting between them, and returns their replies in order.
    ///
    /// Error replies do not throw: each stays in its place as ``RESPValue/error(_:)``, so that one refused
    /// command does not hide the replies to the others. It throws for what ends the connection (timeout, lost
    /// connection, malformed reply), failing the whole pipeline.
    func pipeline(_ commands: [[String]]) async throws -> [RESPValue]

    /// Closes the connections. Commands still waiting fail with ``RedisTargetError/connectionClosed``, and so
    /// does every command sent afterwards.
    func close() async
}

/// The fields of an `INFO` reply: `key:value` lines, section headers (`# Server`) and blank lines skipped.
public struct RedisInfo: Sendable, Hashable {
    /// Every field of the reply, by name.
    public var fields: [String: String]

    /// Reads the text of an `INFO` reply.
    public init(parsing text: String) {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else {
                continue
            }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        self.fields = fields
    }

    /// The value of field `name`, if the reply has it.
    public subscript(name: String) -> String? {
        self.fields[name]
    }

    /// The server's version (`redis_version`, section `server`), such as `7.0.15`.
    public var redisVersion: String? {
        self.fields["redis_version"]
    }

    /// The bytes the server's allocator holds (`used_memory`, section `memory`).
    public var usedMemory: Int? {
        self.fields["used_memory"].flatMap { Int($0) }
    }
}

extension RedisClient {
    /// Runs `INFO section` (such as `server` or `memory`) and reads its fields.
    public func info(section: String) async throws -> RedisInfo {
        let reply = try await self.send(["INFO", section])
        guard let text = reply.stringValue else {
            throw RedisTargetError.unexpectedReply(command: "INFO \(section)", reply: reply)
        }
        return RedisInfo(parsing: text)
    }

    /// Deletes every key that starts with `prefix` and returns how many were deleted.
    ///
    /// Walks the keyspace with `SCAN cursor MATCH prefix* COUNT batchSize` and deletes each batch found with
    /// one `UNLINK`, which frees the values off the server's main thread. `prefix` is matched literally: glob
    /// characters in it (`* ? [ ] \`) are escaped. Keys written while it runs may survive; SCAN guarantees only
    /// the keys present for the whole walk.
    ///
    /// `prefix` MUST NOT be empty: this is not a way to empty a database.
    public func scanDelete(prefix: String, batchSize: Int = 1000) async throws -> Int {
        precondition(!prefix.isEmpty, "scanDelete needs a key prefix")
        let pattern = Self.globEscaped(prefix) + "*"
        var cursor = "0"
        var deleted = 0
        repeat {
            let reply = try await self.send(["SCAN", cursor, "MATCH", pattern, "COUNT", String(batchSize)])
            guard let parts = reply.arrayValue, parts.count == 2, let next = parts[0].stringValue,
                let keys = parts[1].arrayValue
            else {
                throw RedisTargetError.unexpectedReply(command: "SCAN", reply: reply)
            }
            let names = keys.compactMap(\.stringValue)
            if !names.isEmpty {
                let unlinked = try await self.send(["UNLINK"] + names)
                guard let count = unlinked.integerValue else {
                    throw RedisTargetError.unexpectedReply(command: "UNLINK", reply: unlinked)
                }
                deleted += Int(count)
            }
            cursor = next
        } while cursor != "0"
        return deleted
    }

    private static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) {
                escaped.append("\\")
            }
            escaped.append(character)
        }
        return escaped
    }
}
