import NIOCore

/// One FastAGI session seen from a script: the environment and a small command API.
///
/// Commands are strictly one at a time, as Asterisk reads them. A `HANGUP` line
/// that arrives before a reply is noted and skipped; later commands that
/// Asterisk refuses on a dead channel come back as `511`.
public final class AGICall {
    /// The `agi_*` block.
    public let environment: AGIEnvironment
    /// True once Asterisk said `HANGUP`.
    public private(set) var hungUp = false

    private var inbound: NIOAsyncChannelInboundStream<AGIInbound>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(
        environment: AGIEnvironment,
        inbound: NIOAsyncChannelInboundStream<AGIInbound>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.environment = environment
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends one command line and returns Asterisk's reply.
    /// - Throws: ``AGICallError`` when the peer closes or the command cannot be written.
    public func send(_ command: String) async throws -> AGIReply {
        guard !command.contains(where: \.isNewline) else { throw AGICallError.invalidCommand }
        // LF only: a CR would end up inside the last argument.
        try await outbound.write(ByteBuffer(string: command + "\n"))
        while true {
            guard let next = try await inbound.next() else { throw AGICallError.closed }
            switch next {
            case .hangup:
                hungUp = true
            case .reply(let reply):
                return reply
            case .environment:
                throw AGICallError.closed
            }
        }
    }

    /// `GET VARIABLE`: the value, or nil when the variable does not exist.
    public func getVariable(_ name: String) async throws -> String? {
        let reply = try await send("GET VARIABLE \(Self.quote(name))")
        guard reply.isSuccess, reply.result == "1" else { return nil }
        return reply.data ?? ""
    }

    /// `SET VARIABLE name "value"`.
    @discardableResult
    public func setVariable(_ name: String, _ value: String) async throws -> AGIReply {
        try await send("SET VARIABLE \(Self.quote(name)) \(Self.quote(value))")
    }

    /// `VERBOSE "message" level`.
    @discardableResult
    public func verbose(_ message: String, level: Int = 1) async throws -> AGIReply {
        try await send("VERBOSE \(Self.quote(message)) \(level)")
    }

    /// `EXEC app "args"`: the application's own return value comes back as the result.
    @discardableResult
    public func exec(_ application: String, _ arguments: String = "") async throws -> AGIReply {
        try await send("EXEC \(application) \(Self.quote(arguments))")
    }

    /// `HANGUP`.
    @discardableResult
    public func hangup() async throws -> AGIReply {
        try await send("HANGUP")
    }

    /// Quotes an argument the way Asterisk's `parse_args` reads it: `"` toggles quoting, `\` escapes.
    static func quote(_ text: String) -> String {
        var out = "\""
        for char in text {
            if char == "\"" || char == "\\" { out.append("\\") }
            out.append(char.isNewline ? " " : char)
        }
        return out + "\""
    }
}

/// A FastAGI session could not go on.
public enum AGICallError: Error, Hashable, Sendable, CustomStringConvertible {
    case closed
    case invalidCommand
    case timedOut

    public var description: String {
        switch self {
        case .closed: "Asterisk closed the AGI session"
        case .invalidCommand: "AGI command contains a line break"
        case .timedOut: "AGI session took too long"
        }
    }
}
