import NIOConcurrencyHelpers
import RedisTarget
import RedisTestSupport
import Testing

/// A subscribed connection takes the messages the server pushes, in order, and ends with `close()`.
@Suite struct RedisSubscriptionTests {
    @Test func pushedMessagesReachTheCallbackInOrder() async throws {
        try await withRedisServer { server in
            let received = NIOLockedValueBox<[String]>([])
            let subscription = try await RedisConnection.subscribe(
                to: server.configuration(), pattern: "test:*"
            ) { channel, message in
                received.withLockedValue { $0.append(channel + "=" + message) }
            }
            let publisher = try await server.connect()
            for index in 0..<100 {
                let reply = try await publisher.send(["PUBLISH", "test:\(index % 3)", "m\(index)"])
                #expect(reply.integerValue == 1)
            }
            _ = try await publisher.send(["PUBLISH", "other", "not for the pattern"])
            let deadline = ContinuousClock.now + .seconds(10)
            while received.withLockedValue({ $0.count }) < 100, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(received.withLockedValue { $0 } == (0..<100).map { "test:\($0 % 3)=m\($0)" })
            await subscription.close()
            #expect(!subscription.isActive)
            // Nobody listens any more, once the server has seen the connection go.
            var listeners = Int64(1)
            let gone = ContinuousClock.now + .seconds(10)
            while listeners > 0, ContinuousClock.now < gone {
                listeners = try await publisher.send(["PUBLISH", "test:0", "late"]).integerValue ?? -1
                if listeners > 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(listeners == 0)
            await publisher.close()
        }
    }
}
