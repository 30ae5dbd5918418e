import Logging
import ServiceLifecycle
import Testing

@testable import Neighbours

/// The monitor against this machine's own kernel: subscribing and dumping need no privilege.
@Suite struct NeighbourMonitorTests {
    @Test func loadsTheTableRunsOnceAndStopsWhenCancelled() async throws {
        let cache = NeighbourCache()
        let monitor = try NeighbourMonitor(cache: cache, logger: Logger(label: "neighbours-test"))
        #expect(monitor.cache === cache)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await monitor.run() }
            tasks.addTask { try await monitor.run() }
            await #expect(throws: NeighbourMonitorError.alreadyRunning) { try await tasks.next() }
            tasks.cancelAll()
            // The reader notices within one receive timeout; a hang here fails the run.
            try await tasks.next()
        }
    }

    @Test func endsOnGracefulShutdown() async throws {
        let monitor = try NeighbourMonitor(cache: NeighbourCache(), logger: Logger(label: "neighbours-test"))
        let group = ServiceGroup(services: [monitor], logger: Logger(label: "neighbours-test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
    }

    @Test func errorsNameTheCallAndTheErrno() {
        #expect(NeighbourMonitorError.socket(errno: 97).description.contains("errno 97"))
        #expect(NeighbourMonitorError.dumpRefused(errno: 1).description.contains("errno 1)"))
        #expect(NeighbourMonitorError.dumpTimedOut(seconds: 10).description.contains("10 s"))
    }
}
