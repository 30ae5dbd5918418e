import Foundation
import TestNetwork

/// A real Asterisk 22 of its own for one test, run by the `asterisk-lab` script that
/// `ASTERISK_LAB` names (`.ci/run` sets it), with its state in a short directory under /tmp.
struct AsteriskLab {
    /// The script, from the environment.
    static let script = ProcessInfo.processInfo.environment["ASTERISK_LAB"].flatMap { $0.isEmpty ? nil : $0 }
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Why the interop tests cannot run here, or nil.
    static var unavailableReason: String? {
        guard let script else { return "ASTERISK_LAB is not set (it names the asterisk-lab script; .ci/run sets it)" }
        guard FileManager.default.isExecutableFile(atPath: script) else { return "ASTERISK_LAB=\(script) is not an executable file" }
        return PhoneNamespace.unavailableReason
    }

    /// Skips on a developer's machine without Asterisk or root; under CI=true the test runs and fails instead.
    static var skipReason: String? { underCI ? nil : unavailableReason }

    let directory: String
    let sipPort: Int
    let amiPort: Int
    var etc: String { "\(directory)/etc" }

    /// Creates the state directory and writes `files` into its etc/ before the first start.
    init(files: [String: String], sipPort: Int? = nil) throws {
        directory = "/tmp/apl-\(String(UInt32.random(in: 0..<UInt32.max), radix: 36))"
        self.sipPort = sipPort ?? freePort(in: 20000..<24000, udp: true)
        amiPort = freePort(in: 24000..<27000)
        try FileManager.default.createDirectory(atPath: "\(directory)/etc", withIntermediateDirectories: true)
        for (name, contents) in files { try write(name, contents) }
    }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: "\(etc)/\(name)", atomically: true, encoding: .utf8)
    }

    /// Starts Asterisk and waits until it is fully booted.
    func up() async throws {
        // Asterisk inherits the script's standard output, so a pipe would never reach end of file: a file.
        let output = "\(directory)/up.out"
        let status = try await Spawned.run(
            [Self.script!, "up", directory, "--sip-port", String(sipPort), "--ami-port", String(amiPort)], output: output)
        guard status == 0 else {
            throw InteropError("asterisk-lab up failed (\(status)): \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
    }

    func down() async {
        _ = try? await PhoneNamespace.run(Self.script!, ["down", directory])
    }

    /// Stops Asterisk and removes its directory.
    func remove() async {
        await down()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `asterisk -rx COMMAND` against this instance.
    @discardableResult
    func cli(_ command: String) async throws -> String {
        try await PhoneNamespace.run(Self.script!, ["cli", directory, command])
    }

    /// Asterisk's full log so far.
    var fullLog: String {
        (try? String(contentsOfFile: "\(directory)/log/full", encoding: .utf8)) ?? ""
    }

    /// pjsip.conf: the transport (its port is rewritten by `up`), our generated file, and the admin's own extensions.
    static func pjsipConf(include: String, extensions: [(number: String, password: String)]) -> String {
        var text = """
            [transport-udp]
            type = transport
            protocol = udp
            bind = 0.0.0.0:5060

            #include "\(include)"

            """
        for (number, password) in extensions {
            text += """

                [\(number)]
                type=auth
                auth_type=userpass
                username=\(number)
                password=\(password)

                [\(number)]
                type=aor
                max_contacts=1
                remove_existing=yes

                [\(number)]
                type=endpoint
                context=default
                auth=\(number)
                aors=\(number)
                callerid="User \(number)" <\(number)>
                disallow=all
                allow=ulaw

                """
        }
        return text
    }

    static func extensionsConf(include: String) -> String {
        """
        [default]
        include => autoprovision-bind

        #include "\(include)"

        """
    }

    /// Our `asterisk-conf/manager.conf` sample as shipped, with its secret set: the AMI user the daemon uses.
    static func managerConf(secret: String) throws -> String {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../asterisk-conf/manager.conf")
        let text = try String(contentsOf: sample, encoding: .utf8)
        guard text.contains("secret = CHANGE-ME-to-a-long-random-string") else {
            throw InteropError("the manager.conf sample has no secret line to fill in")
        }
        return text.replacingOccurrences(of: "secret = CHANGE-ME-to-a-long-random-string", with: "secret = \(secret)")
    }
}

struct InteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
func eventually(_ timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// A progress line on standard error, so a slow or stuck interop test shows where it is.
func step(_ text: String) {
    FileHandle.standardError.write(Data("interop: \(text)\n".utf8))
}
