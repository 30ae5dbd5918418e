public import AMI
import NIOCore
import NIOPosix
public import Synchronization

/// An AMI server for tests and benchmarks, speaking Asterisk's wire format as the
/// reference captures show it: banner without a blank line, MD5 challenge,
/// events interleaved before responses, event lists, error texts ending in a
/// literal `\n`. It records every action it receives.
public final class ScriptedAMIServer: Sendable {
    /// One PJSIP endpoint with its inbound auth.
    public struct Endpoint: Sendable {
        public var name: String
        public var username: String
        public var password: String
        public var authType: String
        public var callerID: String
        public var contacts: [String]

        public init(
            name: String, username: String? = nil, password: String, authType: String = "userpass", callerID: String = "<unknown>",
            contacts: [String] = []
        ) {
            self.name = name
            self.username = username ?? name
            self.password = password
            self.authType = authType
            self.callerID = callerID
            self.contacts = contacts
        }
    }

    public struct State: Sendable {
        public var bannerVersion = "11.0.0"
        public var users: [String: String] = ["autoprovision": "amisecret"]
        public var supportsChallenge = true
        public var challenge = "186191623"
        public var endpoints: [Endpoint] = []
        /// Send SuccessfulAuth between the next action and its response, as a real capture shows.
        public var interleaveEvents = true
        /// An Asterisk still booting: logins are accepted, but FullyBooted is held back and every action
        /// but Challenge, Login, Logoff and Ping is answered `Permission denied` until ``finishBooting()``.
        public var booting = false
        /// Whether sessions get system events (FullyBooted, Reload): false plays an AMI user without `read = system`.
        public var systemEvents = true
        /// Accept connections and never say anything.
        public var silent = false
        /// Answer the login, then nothing more: an Asterisk that hangs after accepting a session.
        public var silentAfterLogin = false
        /// Notify replies: nil answers `NOTIFY sent`.
        public var notifyError: String?
        /// Every action received, in order (Secret and Key included: tests check the login).
        public var received: [AMIMessage] = []
        /// Hold back the answer to `PJSIPShowEndpoints` while true, so a benchmark can look at the client first.
        public var holdEndpointList = false
        public var logins = 0
    }

    public let state = Mutex(State())
    private let channels = Mutex<[any Channel]>([])
    private let serverChannel: any Channel

    /// The bound port on 127.0.0.1.
    public var port: Int { serverChannel.localAddress?.port ?? 0 }

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
    }

    /// Starts a server on a free loopback port.
    public static func start(_ configure: @Sendable (inout State) -> Void = { _ in }) async throws -> ScriptedAMIServer {
        let box = ServerBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMIFrameDecoder(expectsBanner: false)))
                    try channel.pipeline.syncOperations.addHandler(ScriptedAMIConnection(server: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = ScriptedAMIServer(serverChannel: channel)
        server.state.withLock { configure(&$0) }
        box.server.withLock { $0 = server }
        return server
    }

    public func stop() async {
        dropAll()
        try? await serverChannel.close()
    }

    /// Closes every client connection, as an Asterisk restart does.
    public func dropAll() {
        for channel in channels.withLock({ list in
            defer { list = [] }
            return list
        }) { channel.close(promise: nil) }
    }

    /// Sends raw bytes to every connected client.
    public func broadcast(_ text: String) {
        for channel in channels.withLock({ $0 }) { channel.writeAndFlush(ByteBuffer(string: text), promise: nil) }
    }

    /// Sends an event to every connected client.
    public func emit(_ headers: [(String, String)]) {
        broadcast(headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n")
    }

    /// Ends the boot: actions are answered from now on, and every client gets FullyBooted, as Asterisk publishes it.
    public func finishBooting() {
        let systemEvents = state.withLock {
            $0.booting = false
            return $0.systemEvents
        }
        if systemEvents { emit(ScriptedAMIConnection.fullyBooted) }
    }

    /// Writes half a message to every client, then closes.
    public func dropMidMessage() {
        for channel in channels.withLock({ list in
            defer { list = [] }
            return list
        }) {
            channel.writeAndFlush(ByteBuffer(string: "Event: EndpointList\r\nObjectName: 1"), promise: nil)
            channel.close(promise: nil)
        }
    }

    /// The actions received with this name.
    public func received(_ action: String) -> [AMIMessage] {
        state.withLock { $0.received.filter { $0["Action"]?.lowercased() == action.lowercased() } }
    }

    func register(_ channel: any Channel) { channels.withLock { $0.append(channel) } }
}

final class ServerBox: Sendable {
    let server = Mutex<ScriptedAMIServer?>(nil)
}
