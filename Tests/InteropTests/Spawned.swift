import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn and reaped by a blocking `waitpid` on a thread of its own,
/// so its exit is seen however the rest of the test process watches children. Standard input is a pipe
/// the test writes commands into; standard output and error go to a file.
final class Spawned: Sendable {
    let pid: pid_t
    private let input: Int32
    private let box = ExitBox()

    private final class ExitBox: Sendable {
        let status = Mutex<Int32?>(nil)
    }

    init(_ arguments: [String], output: String, environment: [String: String]? = nil) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw InteropError("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var envp = variables.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            throw InteropError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        self.pid = pid
        input = fds[1]
        let thread = Thread { [box, pid] in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            // WIFEXITED/WEXITSTATUS, which Swift does not import.
            box.status.withLock { $0 = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f) }
        }
        thread.start()
    }

    deinit {
        close(input)
    }

    var isRunning: Bool { box.status.withLock { $0 } == nil }

    /// The exit status, once it has exited.
    var exitStatus: Int32? { box.status.withLock { $0 } }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
    }

    func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// Waits up to `timeout` for the exit; returns whether it exited.
    @discardableResult
    func wait(_ timeout: Duration) async -> Bool {
        await eventually(timeout) { !isRunning }
    }

    /// Runs `arguments` to completion and returns its exit status.
    static func run(_ arguments: [String], output: String) async throws -> Int32 {
        let process = try Spawned(arguments, output: output)
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return process.exitStatus ?? -1
    }
}
