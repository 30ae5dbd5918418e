import Foundation
import NIOCore
import NIOPosix

/// Plays Asterisk's side of a FastAGI session over real TCP: sends the `agi_*`
/// block, then answers each command line from a table, as `res_agi.c` would.
public struct FakeAsterisk {
    /// Channel variables `GET VARIABLE` answers (missing ones give `200 result=0`).
    public var variables: [String: String] = [:]
    /// Send `HANGUP` before the reply to this command (0-based), as a caller hanging up mid-session does.
    public var hangupBeforeCommand: Int?

    public struct Session: Sendable {
        public var commands: [String] = []
        public var setVariables: [String: String] = [:]
    }

    public init(variables: [String: String] = [:], hangupBeforeCommand: Int? = nil) {
        self.variables = variables
        self.hangupBeforeCommand = hangupBeforeCommand
    }

    /// Runs one session against `port` with the given environment block (LF line ends, final blank line).
    public func run(port: Int, environment: String) async throws -> Session {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var session = Session()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: environment))
            var pending: [UInt8] = []
            for try await chunk in inbound {
                pending += chunk.readableBytesView
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if hangupBeforeCommand == session.commands.count { try await outbound.write(ByteBuffer(string: "HANGUP\n")) }
                    session.commands.append(line)
                    try await outbound.write(ByteBuffer(string: reply(to: line, session: &session)))
                }
            }
        }
        return session
    }

    private func reply(to line: String, session: inout Session) -> String {
        let arguments = Self.parseArguments(line)
        let command = arguments.prefix(2).joined(separator: " ").uppercased()
        switch command {
        case "GET VARIABLE":
            guard arguments.count == 3 else { return "520 Invalid command syntax.  Proper usage not available.\n" }
            return variables[arguments[2]].map { "200 result=1 (\($0))\n" } ?? "200 result=0\n"
        case "SET VARIABLE":
            guard arguments.count == 4 else { return "520 Invalid command syntax.  Proper usage not available.\n" }
            session.setVariables[arguments[2]] = arguments[3]
            return "200 result=1\n"
        default:
            if arguments.first?.uppercased() == "VERBOSE" { return "200 result=1\n" }
            return "510 Invalid or unknown command\n"
        }
    }

    /// Splits like `parse_args` in res_agi.c: blanks separate, `"` toggles quoting, `\` escapes.
    public static func parseArguments(_ line: String) -> [String] {
        var arguments: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var started = false
        for char in line {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
                started = true
            } else if char == "\"" {
                quoted.toggle()
                started = true
            } else if (char == " " || char == "\t") && !quoted {
                if started { arguments.append(current) }
                current = ""
                started = false
            } else {
                current.append(char)
                started = true
            }
        }
        if started { arguments.append(current) }
        return arguments
    }

    /// An environment block like Asterisk's, for the `/bind` script.
    public static func environment(extension dialled: String, arguments: [String] = [], script: String = "bind") -> String {
        var lines = [
            "agi_network: yes", "agi_network_script: \(script)", "agi_request: agi://127.0.0.1:4573/\(script)",
            "agi_channel: PJSIP/guest-00000007", "agi_language: en", "agi_type: PJSIP", "agi_uniqueid: 1746044688.69",
            "agi_version: 22.2.0", "agi_callerid: guest", "agi_calleridname: Unbound phone", "agi_callingpres: 0", "agi_callingani2: 0",
            "agi_callington: 0", "agi_callingtns: 0", "agi_dnid: \(dialled)", "agi_rdnis: unknown", "agi_context: autoprovision-guest",
            "agi_extension: \(dialled)", "agi_priority: 3", "agi_enhanced: 0.0", "agi_accountcode: ", "agi_threadid: 140202580211456",
        ]
        for (index, argument) in arguments.enumerated() { lines.append("agi_arg_\(index + 1): \(argument)") }
        return lines.joined(separator: "\n") + "\n\n"
    }
}
