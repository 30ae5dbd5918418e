public import Foundation

/// Runs the built `autoprovision` executable as a user would.
public struct CLI: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public let directory: URL
    public var database: String { directory.appendingPathComponent("cli.sqlite").path }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoprovision-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The executable next to the test bundle in the build folder.
    public static var executable: URL {
        var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("autoprovision")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "autoprovision")
    }

    /// Runs the CLI on a thread outside the concurrency pool: waiting for a process must not hold one of
    /// the pool's few threads, which every other test running at the same time needs.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try self.runBlocking(arguments, stdin: stdin, environment: environment) })
            }
        }
    }

    /// The same, blocking the calling thread: for synchronous tests only.
    @discardableResult
    public func runBlocking(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["AUTOPROVISION_DB"] = database
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts `autoprovision serve` on this database with the AGI, admin and PnP listeners off.
    /// - Parameters:
    ///   - arguments: More `serve` options (`--bind`, `--tftp`, …).
    ///   - log: Where the daemon's log goes; discarded when nil.
    ///   - environment: Variables added to the test's own environment.
    /// - Returns: The running daemon; the caller stops it (`terminate()`).
    public func serve(_ arguments: [String], log: URL? = nil, environment: [String: String] = [:]) throws -> Process {
        let serve = Process()
        serve.executableURL = Self.executable
        if !environment.isEmpty { serve.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        serve.arguments = ["serve", "--db", database, "--agi", "off", "--admin", "off", "--no-pnp"] + arguments
        serve.standardError = try log.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        return serve
    }

    public func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}
