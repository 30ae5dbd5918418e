import Synchronization

/// The port a listener is bound to, once it is: files name it (an HTTPS port of 0 picks a free one).
public final class ListeningPort: Sendable {
    private let port: Mutex<Int?>

    /// - Parameter port: The port known before binding, if any.
    public init(_ port: Int? = nil) {
        self.port = Mutex(port)
    }

    public var value: Int? {
        get { port.withLock { $0 } }
        set { port.withLock { $0 = newValue } }
    }
}
