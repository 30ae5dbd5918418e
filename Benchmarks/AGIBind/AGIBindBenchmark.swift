// Star-code bind benchmark: 200 FastAGI sessions at once through the full bind
// path (environment block, GET VARIABLE, credential check, MAC lists, store write
// with audit, SET VARIABLE), against local credentials and a pre-filled neighbour
// table, so no ARP provocation wait is included. Prints sessions/s and p99.
//
// Usage: swift run -c release agi-bind-benchmark [SESSIONS] [ROUNDS]

import AGI
import Foundation
import Logging
import Provisioning
import ScriptedAGIClient

@main
struct AGIBindBenchmark {
    static func main() async throws {
        let sessions = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200 : 200
        let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 5 : 5
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agi-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let store = try ProvisioningStore(path: directory.appendingPathComponent("bench.sqlite").path, defaultHost: "10.0.0.1")
        var arp = "IP address       HW type     Flags       HW address            Mask     Device\n"
        for index in 0..<sessions {
            try store.saveAccount(
                AccountRecord(
                    extensionNumber: String(200 + index), authUsername: String(200 + index), password: "pw\(index)", displayName: "User \(index)"))
            arp +=
                "10.1.\(index / 250).\(index % 250 + 1)   0x1   0x2   00:15:65:01:\(String(format: "%02x", index / 256)):\(String(format: "%02x", index % 256))   *   eth0\n"
        }
        let arpPath = directory.appendingPathComponent("arp").path
        try arp.write(toFile: arpPath, atomically: true, encoding: .utf8)

        var logger = Logger(label: "agi-bench")
        logger.logLevel = .error
        let script = StarCodeBindScript(
            store: store, credentials: LocalAccountCredentialSource(store: store),
            neighbours: NeighbourTable(arpPath: arpPath, ipCommand: nil, provoke: false),
            limiter: BindRateLimiter(limit: 1_000_000), logger: logger, rebootDelay: .zero
        ) { _ in }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = FastAGIServer(host: "127.0.0.1", port: 0, scripts: ["bind": script], logger: logger) { continuation.yield($0) }

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            var durations: [Duration] = []
            var failures = 0
            let started = ContinuousClock.now
            for round in 0..<rounds {
                let results = try await withThrowingTaskGroup(of: (Duration, Bool).self) { group in
                    for index in 0..<sessions {
                        group.addTask {
                            let asterisk = FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "10.1.\(index / 250).\(index % 250 + 1):5060"])
                            let begin = ContinuousClock.now
                            // Each round binds every phone to another extension, so every session writes.
                            let session = try await asterisk.run(
                                port: port, environment: FakeAsterisk.environment(extension: "*123*\(200 + (index + round) % sessions)"))
                            return (ContinuousClock.now - begin, session.setVariables["PROVISION_STATUS"] == "OK")
                        }
                    }
                    var collected: [(Duration, Bool)] = []
                    for try await result in group { collected.append(result) }
                    return collected
                }
                durations += results.map(\.0)
                failures += results.filter { !$0.1 }.count
            }
            let elapsed = ContinuousClock.now - started
            tasks.cancelAll()
            let sorted = durations.sorted()
            func percentile(_ p: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            func ms(_ duration: Duration) -> String {
                String(format: "%.1f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
            }
            print("\(rounds) rounds of \(sessions) concurrent sessions: \(durations.count) binds, \(failures) not OK")
            print(String(format: "throughput: %.0f sessions/s", Double(durations.count) / seconds))
            print("session time: p50 \(ms(percentile(0.5))), p99 \(ms(percentile(0.99))), max \(ms(sorted.last!))")
        }
    }
}
