public import Foundation

/// Runs the real `curl` client and returns what it printed.
public enum Curl {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// - Parameters:
    ///   - url: The URL to fetch.
    ///   - arguments: Extra curl arguments (`-I`, `-X POST`, `--path-as-is`).
    /// Runs on a thread outside the concurrency pool, so waiting for curl never starves the servers under test.
    public static func fetch(_ url: String, _ arguments: [String] = [], userAgent: String = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc")
        async throws -> Response
    {
        try await offPool { try fetchBlocking(url, arguments, userAgent: userAgent) }
    }

    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    public static func fetchBlocking(_ url: String, _ arguments: [String], userAgent: String) throws -> Response {
        let directory = FileManager.default.temporaryDirectory
        let headerFile = directory.appendingPathComponent("curl-headers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: headerFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "10", "-A", userAgent, "-D", headerFile.path, "-w", "%{http_code}"] + arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        let status = Int(text.suffix(3)) ?? 0
        text.removeLast(min(3, text.count))
        var headers: [String: String] = [:]
        let raw = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in raw.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: text)
    }

    /// Runs curl with exactly these arguments; the exit status and what it printed.
    public static func raw(_ arguments: [String]) async throws -> (status: Int32, body: String) {
        try await offPool { try rawBlocking(arguments) }
    }

    public static func rawBlocking(_ arguments: [String]) throws -> (status: Int32, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
