/// How to reach and log in to Asterisk's manager interface, and how often to talk to it.
public struct AMIConfiguration: Sendable {
    public var host: String
    /// 5038 by default.
    public var port: Int
    public var username: String
    /// Read from a file or the environment, never from the command line.
    public var secret: String
    /// How long to wait for the TCP connection and then for the banner.
    public var connectTimeout: Duration = .seconds(5)
    /// How long one action may take, list items included.
    public var requestTimeout: Duration = .seconds(15)
    /// How often an idle connection is checked with `Ping`.
    public var pingInterval: Duration = .seconds(20)
    /// How long to wait after login for `FullyBooted` before the first sync is tried anyway
    /// (an AMI user without `read = system` never gets it).
    public var bootWait: Duration = .seconds(10)
    /// How often credentials are re-read even without an event (realtime/ODBC changes emit none).
    public var syncInterval: Duration = .seconds(60)
    /// The first and the longest wait between reconnection attempts.
    public var backoff: (initial: Duration, maximum: Duration) = (.seconds(1), .seconds(30))

    public init(host: String, port: Int = 5038, username: String, secret: String) {
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
    }

    /// Parses `HOST[:PORT]`.
    /// - Throws: ``AMIConfigurationError`` for an empty host or a bad port.
    public static func endpoint(_ text: String) throws(AMIConfigurationError) -> (host: String, port: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { throw AMIConfigurationError(text: text) }
        guard parts.count == 2 else { return (String(host), 5038) }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { throw AMIConfigurationError(text: text) }
        return (String(host), port)
    }
}

/// `--ami` was not `HOST[:PORT]`.
public struct AMIConfigurationError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "'\(text)' is not an AMI address: expected HOST or HOST:PORT" }
}
