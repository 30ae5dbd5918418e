import Foundation
import TestNetwork

#if canImport(Glibc)
    import Glibc
#endif

/// The real pjsua in a phone's network namespace, registered with one account.
///
/// Its log (every SIP message at level 5) is written when it quits, so a test quits it to read it.
final class LabPhone: Sendable {
    let namespace: PhoneNamespace
    let username: String
    private let process: Spawned
    let logFile: String

    init(in namespace: PhoneNamespace, registrar: String, username: String, password: String) throws {
        self.namespace = namespace
        self.username = username
        logFile = "/tmp/apl-pjsua-\(UUID().uuidString).log"
        process = try Spawned(
            [
                PhoneNamespace.ipCommand!, "netns", "exec", namespace.name, AsteriskLab.script!, "pjsua", "--null-audio", "--no-tcp", "--no-vad",
                "--local-port=5070", "--id", "sip:\(username)@\(registrar)", "--registrar", "sip:\(registrar)", "--realm", "*", "--username",
                username,
                "--password", password, "--log-file", logFile, "--log-level", "5", "--app-log-level", "1",
            ], output: "/dev/null")
    }

    /// Dials `uri` (`sip:*123*200@10.1.2.1:5060`).
    func dial(_ uri: String) {
        process.write("m\n\(uri)\n")
    }

    /// Quits pjsua (unregistering) and returns its log.
    func quit() async -> String {
        if process.isRunning {
            process.write("q\n")
            if !(await process.wait(.seconds(10))) {
                process.signal(SIGKILL)
                await process.wait(.seconds(2))
            }
        }
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: logFile)
        return log
    }

    /// The check-sync NOTIFYs a pjsua log shows it received, one per Call-ID (retransmissions count once), as Request-URIs.
    static func checkSyncs(in log: String) -> [String] {
        // pjsua logs each received message whole after "RX … Request msg NOTIFY", up to "--end msg--".
        var byCallID: [String: String] = [:]
        // Messages are logged with their CRLF line ends, and in a Swift String "\r\n" is one Character, not "\n".
        let text = log.replacingOccurrences(of: "\r\n", with: "\n")
        for block in text.components(separatedBy: ".RX ").dropFirst() {
            let message = block.components(separatedBy: "--end msg--")[0]
            guard message.contains("Request msg NOTIFY"), message.contains("\nEvent: check-sync") else { continue }
            let lines = message.split(separator: "\n")
            guard let requestLine = lines.first(where: { $0.hasPrefix("NOTIFY ") }), let callID = lines.first(where: { $0.hasPrefix("Call-ID: ") })
            else { continue }
            byCallID[String(callID)] = String(requestLine)
        }
        return byCallID.values.sorted()
    }
}

/// A phone's provisioning file, fetched from inside its namespace with the real curl. The daemon
/// publishes a change within a refresh tick, so a phone just added may get 404 for a moment: retried for 5 s.
func fetchFile(_ namespace: PhoneNamespace, _ url: String, userAgent: String = "Yealink SIP-T46S 66.86.0.15") async throws -> String {
    var last = ""
    for _ in 0..<25 {
        last = (try? await namespace.exec("/usr/bin/curl", ["-s", "--max-time", "5", "-A", userAgent, "-w", "\n%{http_code}", url])) ?? ""
        if last.hasSuffix("\n200") { return String(last.dropLast(4)) }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw InteropError("\(url) from \(namespace.phoneIP): \(last.suffix(300))")
}

/// `key = value` lines of a Yealink file.
func yealinkValue(_ file: String, _ key: String) -> String? {
    for line in file.split(separator: "\n") where line.hasPrefix("\(key) = ") {
        return String(line.dropFirst(key.count + 3))
    }
    return nil
}
