import Foundation
import Testing

/// The real `openssl` CLI, checking what the module makes independently of swift-certificates.
enum OpenSSL {
    static let path = "/usr/bin/openssl"
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Skips on a developer's machine without openssl; under CI=true the tests run and fail instead.
    static var skipReason: String? {
        underCI || FileManager.default.isExecutableFile(atPath: path) ? nil : "\(path) is not installed"
    }

    /// Runs openssl; its exit status and what it printed on stdout and stderr together.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("\(path) is missing; the test needs it under CI")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
