/// The `agi_*` variables Asterisk sends at the start of a FastAGI session.
public struct AGIEnvironment: Hashable, Sendable {
    /// The variables by name without the `agi_` prefix (`request`, `extension`, `arg_1`).
    public var variables: [String: String]

    public init(variables: [String: String]) {
        self.variables = variables
    }

    public subscript(_ name: String) -> String? { variables[name] }

    /// `agi://127.0.0.1:4573/bind?x=1` as given to `AGI()`.
    public var request: String? { variables["request"] }

    /// The script part of the request (`bind`), without query; Asterisk does not decode it.
    public var script: String {
        if let script = variables["network_script"] { return Self.stripQuery(script) }
        guard let request, let scheme = request.firstRange(of: "://") else { return "" }
        let afterHost = request[scheme.upperBound...].drop { $0 != "/" }.dropFirst()
        return Self.stripQuery(String(afterHost))
    }

    public var extensionNumber: String? { variables["extension"].flatMap { $0.isEmpty ? nil : $0 } }

    /// `agi_arg_1`..., in order.
    public var arguments: [String] {
        var result: [String] = []
        var index = 1
        while let value = variables["arg_\(index)"] {
            result.append(value)
            index += 1
        }
        return result
    }

    private static func stripQuery(_ script: String) -> String {
        String(script.prefix { $0 != "?" })
    }
}

/// One reply from Asterisk to a command: `200 result=1 (value)`, or an error code.
public struct AGIReply: Hashable, Sendable {
    /// 200, 510, 511, 520.
    public var code: Int
    /// The text after `result=` (may be empty: `200 result= (timeout)`).
    public var result: String
    /// The text in parentheses, if any (`(5145552255)`).
    public var data: String?
    /// The whole first line, and for multi-line `520-` blocks every line.
    public var lines: [String]

    public var isSuccess: Bool { code == 200 }
}

/// What Asterisk sends on a FastAGI socket.
public enum AGIInbound: Hashable, Sendable {
    case environment(AGIEnvironment)
    case reply(AGIReply)
    /// The channel hung up; may arrive before the reply to the pending command.
    case hangup
}
