import AMI
import NIOCore
import Synchronization

/// One client connection of the scripted server.
final class ScriptedAMIConnection: ChannelInboundHandler {
    typealias InboundIn = AMIFrame
    typealias OutboundOut = ByteBuffer

    private let box: ServerBox
    private var authenticated = false
    private var pendingEvents: [String] = []

    init(server: ServerBox) {
        box = server
    }

    private var server: ScriptedAMIServer { box.server.withLock { $0! } }

    static let fullyBooted = [
        ("Event", "FullyBooted"), ("Privilege", "system,all"), ("Uptime", "12"), ("LastReload", "12"), ("Status", "Fully Booted"),
    ]

    func channelActive(context: ChannelHandlerContext) {
        server.register(context.channel)
        let state = server.state.withLock { $0 }
        guard !state.silent else { return }
        // The banner has no blank line after it.
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "Asterisk Call Manager/\(state.bannerVersion)\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .message(let action) = unwrapInboundIn(data) else { return }
        let state = server.state.withLock { state in
            state.received.append(action)
            return state
        }
        guard !state.silent, !(state.silentAfterLogin && authenticated) else { return }
        let id = action["ActionID"]
        let name = (action["Action"] ?? "").lowercased()
        var out = pendingEvents.joined()
        pendingEvents = []
        func message(_ headers: [(String, String)]) -> String {
            var all = headers
            if let id { all.insert(("ActionID", id), at: 1) }
            return all.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        }
        func event(_ headers: [(String, String)]) -> String {
            var all = headers
            if let id { all.insert(("ActionID", id), at: 1) }
            return all.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        }
        var shouldClose = false
        switch name {
        case "challenge":
            if state.supportsChallenge, action["AuthType"]?.lowercased() == "md5" {
                out += message([("Response", "Success"), ("Challenge", state.challenge)])
            } else {
                out += message([("Response", "Error"), ("Message", state.supportsChallenge ? "Must specify AuthType" : "Invalid/unknown command")])
            }
        case "login":
            let user = action["Username"] ?? ""
            let secret = state.users[user]
            let ok: Bool
            if action["AuthType"]?.lowercased() == "md5" {
                ok = secret.map { AMILoginKey.key(challenge: state.challenge, secret: $0) == action["Key"] } ?? false
            } else {
                ok = secret != nil && secret == action["Secret"]
            }
            if ok {
                authenticated = true
                server.state.withLock { $0.logins += 1 }
                out += message([("Response", "Success"), ("Message", "Authentication accepted")])
                // manager.c appends FullyBooted right after the ack, once booted, to sessions that take system events.
                if !state.booting, state.systemEvents, (action["Events"] ?? "on").lowercased() != "off" {
                    out += Self.fullyBooted.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
                }
                if state.interleaveEvents {
                    // Real capture: this arrives between the next action and its response.
                    pendingEvents = [
                        "Event: SuccessfulAuth\r\nPrivilege: security,all\r\nService: AMI\r\nAccountID: \(user)\r\nUsingPassword: 0\r\n\r\n"
                    ]
                }
            } else {
                out += message([("Response", "Error"), ("Message", "Authentication failed")])
                shouldClose = true
            }
        case "logoff":
            out += message([("Response", "Goodbye"), ("Message", "Thanks for all the fish.")])
            shouldClose = true
        case _ where !authenticated:
            out += message([("Response", "Error"), ("Message", "Permission denied")])
        case "ping":
            out += message([("Response", "Success"), ("Ping", "Pong"), ("Timestamp", "1700000000.000000")])
        case _ where state.booting:
            out += message([("Response", "Error"), ("Message", "Permission denied")])
        case "pjsipshowendpoints":
            if state.endpoints.isEmpty {
                // The error text carries a literal "\n" before the line's CRLF.
                out += "Response: Error\r\n" + (id.map { "ActionID: \($0)\r\n" } ?? "") + "Message: No endpoints found\n\r\n\r\n"
            } else {
                out += message([
                    ("Response", "Success"), ("EventList", "start"), ("Message", "A listing of Endpoints follows, presented as EndpointList events"),
                ])
                for endpoint in state.endpoints {
                    out += event([
                        ("Event", "EndpointList"), ("ObjectType", "endpoint"), ("ObjectName", endpoint.name), ("Transport", ""),
                        ("Aor", endpoint.name), ("Auths", "\(endpoint.name)-auth"), ("OutboundAuths", ""),
                        ("Contacts", endpoint.contacts.map { "\(endpoint.name)/\($0)," }.joined()),
                        ("DeviceState", endpoint.contacts.isEmpty ? "Unavailable" : "Not in use"), ("ActiveChannels", ""),
                    ])
                }
                out += event([("Event", "EndpointListComplete"), ("EventList", "Complete"), ("ListItems", "\(state.endpoints.count)")])
            }
        case "pjsipshowauths":
            out += message([("Response", "Success"), ("EventList", "start"), ("Message", "A listing of Auths follows, presented as AuthList events")])
            for endpoint in state.endpoints {
                out += event([
                    ("Event", "AuthList"), ("ObjectType", "auth"), ("ObjectName", "\(endpoint.name)-auth"), ("Username", endpoint.username),
                    ("Md5Cred", endpoint.authType == "md5" ? "0123456789abcdef0123456789abcdef" : ""), ("Realm", ""), ("NonceLifetime", "32"),
                    ("AuthType", endpoint.authType), ("Password", endpoint.authType == "userpass" ? endpoint.password : ""),
                ])
            }
            out += event([("Event", "AuthListComplete"), ("EventList", "Complete"), ("ListItems", "\(state.endpoints.count)")])
        case "pjsipshowendpoint":
            let wanted = (action["Endpoint"] ?? "").replacingPrefix("pjsip/")
            if let endpoint = state.endpoints.first(where: { $0.name == wanted }) {
                out += message([
                    ("Response", "Success"), ("EventList", "start"), ("Message", "Following are Events for each object associated with the Endpoint"),
                ])
                out += event([
                    ("Event", "EndpointDetail"), ("ObjectType", "endpoint"), ("ObjectName", endpoint.name), ("Context", "default"),
                    ("Aors", endpoint.name),
                    ("Auth", "\(endpoint.name)-auth"), ("OutboundAuth", ""), ("Callerid", endpoint.callerID), ("DtmfMode", "rfc4733"),
                    ("DeviceState", "Not in use"), ("ActiveChannels", ""),
                ])
                out += event([
                    ("Event", "AuthDetail"), ("ObjectType", "auth"), ("ObjectName", "\(endpoint.name)-auth"), ("AuthType", endpoint.authType),
                    ("Password", endpoint.password), ("Username", endpoint.username), ("EndpointName", endpoint.name),
                ])
                out += event([("Event", "EndpointDetailComplete"), ("EventList", "Complete"), ("ListItems", "3")])
            } else {
                out += "Response: Error\r\n" + (id.map { "ActionID: \($0)\r\n" } ?? "") + "Message: Unable to retrieve endpoint \(wanted)\n\r\n\r\n"
            }
        case "pjsipshowcontacts":
            // Field names and order as Asterisk 22 sends them (PJSIPShowContacts on the interop lab).
            let contacts = state.endpoints.flatMap { endpoint in endpoint.contacts.map { (endpoint.name, $0) } }
            out += message([
                ("Response", "Success"), ("EventList", "start"), ("Message", "A listing of Contacts follows, presented as ContactList events"),
            ])
            for (name, uri) in contacts {
                out += event([
                    ("Event", "ContactList"), ("ObjectType", "contact"), ("ObjectName", "\(name);@0123456789abcdef"), ("ViaAddr", ""),
                    ("Endpoint", name), ("AuthenticateQualify", "no"), ("Uri", uri), ("QualifyFrequency", "0"), ("Status", "NonQualified"),
                ])
            }
            out += event([("Event", "ContactListComplete"), ("EventList", "Complete"), ("ListItems", "\(contacts.count)")])
        case "pjsipnotify":
            if let error = state.notifyError {
                out += message([("Response", "Error"), ("Message", error)])
            } else if let endpoint = action["Endpoint"], !state.endpoints.contains(where: { $0.name == endpoint }) {
                out += message([("Response", "Error"), ("Message", "Unable to retrieve endpoint \(endpoint)")])
            } else {
                out += message([("Response", "Success"), ("Message", "NOTIFY sent")])
            }
        default:
            out += message([("Response", "Error"), ("Message", "Invalid/unknown command")])
        }
        let channel = context.channel
        if name == "pjsipshowendpoints", state.holdEndpointList {
            Self.writeWhenReleased(out, channel: channel, server: server)
            return
        }
        let closeAfterwards = shouldClose
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: out))).whenComplete { _ in
            if closeAfterwards { channel.close(promise: nil) }
        }
    }

    private static func writeWhenReleased(_ text: String, channel: any Channel, server: ScriptedAMIServer) {
        guard server.state.withLock({ $0.holdEndpointList }) else {
            channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
            return
        }
        channel.eventLoop.scheduleTask(in: .milliseconds(5)) { writeWhenReleased(text, channel: channel, server: server) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String) -> String {
        lowercased().hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
