import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TestCLI
import Testing

@testable import DaemonSupport

/// The notify protocol against a datagram socket the test owns.
@Suite struct SystemdNotifyTests {
    static func socketPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
    }

    @Test func addressesThatAreNotSocketsAreRefused() throws {
        #expect(try SystemdNotifier(environment: [:]) == nil)
        #expect(try SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        for bad in ["relative/path", "@", "vsock:2:1234", "/" + String(repeating: "x", count: 120)] {
            #expect(throws: SystemdNotifyError.unusableAddress(bad)) { try SystemdNotifier(address: bad) }
        }
    }

    @Test func sendsExactlyTheMessageToAPathAndToAnAbstractName() async throws {
        for address in [Self.socketPath(), "@autoprovision-\(UUID().uuidString)"] {
            let socket = try NotifySocket(address)
            let notifier = try #require(try SystemdNotifier(environment: ["NOTIFY_SOCKET": address]))
            try notifier.send("READY=1\nSTATUS=serving 3 phones")
            #expect(await socket.receive() == "READY=1\nSTATUS=serving 3 phones")
        }
        let nowhere = try SystemdNotifier(address: Self.socketPath())
        #expect(throws: SystemdNotifyError.self) { try nowhere.send("READY=1") }
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly() {
        #expect(SystemdNotifyService.watchdogInterval([:], pid: 42) == nil)
        #expect(SystemdNotifyService.watchdogInterval(["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifyService.watchdogInterval(["WATCHDOG_USEC": "soon"], pid: 42) == nil)
        #expect(SystemdNotifyService.watchdogInterval(["WATCHDOG_USEC": "30000000"], pid: 42) == .seconds(15))
        #expect(SystemdNotifyService.watchdogInterval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(15))
        #expect(SystemdNotifyService.watchdogInterval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"], pid: 42) == nil)
    }

    @Test func readyWaitsForEveryListenerAndStatusFollowsChanges() async throws {
        let socket = try NotifySocket(Self.socketPath())
        let readiness = ListenerReadiness(waitingFor: ["http", "tftp"])
        let phones = Atomic(3)
        let service = SystemdNotifyService(
            environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "100000"], readiness: readiness, statusInterval: .milliseconds(50),
            logger: Logger(label: "test")
        ) { "serving \(phones.load(ordering: .relaxed)) phones" }
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        var rest: [String] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            readiness.settled("http")
            #expect(await socket.receive(timeout: .milliseconds(300)) == nil, "READY before every listener reported")
            #expect(readiness.pending == ["tftp"])
            readiness.settled("tftp")
            #expect(await socket.receive() == "READY=1\nSTATUS=serving 3 phones")
            phones.store(4, ordering: .relaxed)
            var seen: [String] = []
            while let message = await socket.receive(), !message.hasPrefix("STATUS=") { seen.append(message) }
            #expect(seen.allSatisfy { $0 == "WATCHDOG=1" }, "\(seen)")
            let collecting = Task { await socket.collect(until: "STOPPING=1") }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            rest = await collecting.value
        }
        #expect(rest.last == "STOPPING=1" && rest.dropLast().allSatisfy { $0 == "WATCHDOG=1" }, "\(rest)")
    }

    @Test func anUnreachableSocketIsWarnedAboutOnce() async throws {
        final class Warnings: Sendable {
            let lines = Mutex<[String]>([])
        }
        let warnings = Warnings()
        let logger = Logger(label: "test") { label in
            LogfmtLogHandler(label: label, output: LogOutput { line in warnings.lines.withLock { $0.append(line) } })
        }
        let readiness = ListenerReadiness(waitingFor: [])
        let service = SystemdNotifyService(
            environment: ["NOTIFY_SOCKET": Self.socketPath(), "WATCHDOG_USEC": "20000"], readiness: readiness, statusInterval: .milliseconds(10),
            logger: logger
        ) { "status" }
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let lines = warnings.lines.withLock { $0 }.filter { $0.contains("level=warning") }
        #expect(lines.count == 1 && lines[0].contains("cannot notify systemd"), "\(lines)")
    }

    @Test func readinessWaitEndsOnCancellation() async {
        let readiness = ListenerReadiness(waitingFor: ["never"])
        let waiter = Task { await readiness.wait() }
        waiter.cancel()
        await waiter.value
        #expect(readiness.pending == ["never"])
    }
}
