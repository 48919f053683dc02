import RedisTarget
import RedisTestSupport
import Testing

@Suite("Redis connection pool against a real redis-server")
struct RedisConnectionPoolTests {
    @Test("four connections under 100 concurrent senders: every reply its own")
    func concurrentUse() async throws {
        try await withRedisServer(password: "pool secret") { server in
            let pool = try await RedisConnectionPool.connect(to: server.configuration(), size: 4)
            #expect(pool.connections.count == 4)
            // The pool's four, once the server has seen the start-up check's connection go (up to 10 s: on a
            // loaded machine the server notices the close late).
            var connected: String?
            for _ in 0..<500 {
                connected = try await pool.info(section: "clients")["connected_clients"]
                if connected == "4" {
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(connected == "4")

            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<100 {
                    group.addTask {
                        for round in 0..<10 {
                            let key = "counter-\(task)"
                            let replies = try await pool.pipeline(Array(repeating: ["INCR", key], count: 50))
                            #expect(replies.last == .integer(Int64(50 * (round + 1))))
                            #expect(try await pool.send(["GET", key]) == .bulk(String(50 * (round + 1))))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(pool.commandsInFlight == [0, 0, 0, 0])
            let served = try await pool.send(["INFO", "commandstats"]).stringValue ?? ""
            #expect(served.contains("cmdstat_incr:calls=50000,"))
            #expect(try await pool.scanDelete(prefix: "counter-") == 100)
            await pool.close()
            await #expect(throws: RedisTargetError.connectionClosed) {
                try await pool.send(["PING"])
            }
        }
    }

    @Test("commands go to the least busy connection: four blocking commands block four connections")
    func leastBusy() async throws {
        try await withRedisServer { server in
            let pool = try await RedisConnectionPool.connect(to: server.configuration(), size: 4)
            let observer = try await server.connect()
            // Two BLPOPs on one connection would block one client between them, not two.
            let blocked = Task {
                try await withThrowingTaskGroup(of: RESPValue.self) { group in
                    for index in 0..<4 {
                        group.addTask { try await pool.send(["BLPOP", "list-\(index)", "0"]) }
                    }
                    var replies: [RESPValue] = []
                    for try await reply in group {
                        replies.append(reply)
                    }
                    return replies
                }
            }
            var blockedClients = 0
            for _ in 0..<500 {
                let clients = try await observer.send(["CLIENT", "LIST"]).stringValue ?? ""
                blockedClients = clients.split(separator: "\n").filter { $0.contains(" flags=b ") }.count
                if blockedClients == 4 {
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(blockedClients == 4)
            _ = try await observer.pipeline((0..<4).map { ["LPUSH", "list-\($0)", "item"] })
            let replies = try await blocked.value
            #expect(Set(replies) == Set((0..<4).map { RESPValue.array([.bulk("list-\($0)"), .bulk("item")]) }))
            await observer.close()
            await pool.close()
        }
    }
}
