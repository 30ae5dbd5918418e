import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts work on a system thread of its own that nobody joins, and says so when the system refuses one.
///
/// Foundation's `Thread.start()` drops a failed `pthread_create` without a word, so its work would never run and
/// whoever waits for it would wait forever.
enum DetachedThread {
    struct Refused: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "cannot start a thread: \(String(cString: strerror(errno)))" }
    }

    private final class Work {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// - Parameter name: Shown by `top -H` and `ps -L`; the system keeps its first 15 bytes.
    static func start(named name: String, _ body: @escaping @Sendable () -> Void) throws(Refused) {
        let work = Unmanaged.passRetained(Work(name: name, body: body))
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                Thread.current.name = String(decoding: work.name.utf8.prefix(15), as: UTF8.self)
                work.body()
                return nil
            }, work.toOpaque())
        guard result == 0 else {
            work.release()
            throw Refused(errno: result)
        }
        // Nobody joins it: its resources go back to the system when it ends.
        pthread_detach(thread)
    }
}
