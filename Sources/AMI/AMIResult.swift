/// Asterisk's answer to one action: the response, and the events of a list action.
public struct AMIResult: Sendable {
    /// The `Response:` message.
    public var response: AMIMessage
    /// For list actions (`EventList: start`), the item events before the `...Complete` event.
    public var events: [AMIMessage]

    /// True for `Response: Success` (and `Follows`, `Goodbye`).
    public var isSuccess: Bool {
        guard let value = response["Response"]?.lowercased() else { return false }
        return value == "success" || value == "follows" || value == "goodbye"
    }

    /// The `Message:` text with trailing line breaks removed.
    public var message: String {
        var text = response["Message"] ?? ""
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}

/// Why an AMI exchange failed.
public enum AMIClientError: Error, Hashable, Sendable, CustomStringConvertible {
    case connectionFailed(String)
    case noBanner
    case timeout(action: String)
    case connectionClosed
    case authenticationFailed(String)
    case actionFailed(action: String, message: String)
    case unexpectedResponse(action: String, response: String)

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "cannot connect to AMI: \(reason)"
        case .noBanner: "AMI server accepted the connection but sent no banner"
        case .timeout(let action): "AMI action \(action) got no answer in time"
        case .connectionClosed: "AMI connection closed"
        case .authenticationFailed(let message): "AMI login refused: \(message)"
        case .actionFailed(let action, let message):
            // Every action the daemon sends needs write = system (Reload also takes config): say so where Asterisk only says no.
            "AMI action \(action) failed: \(message)"
                + (message.lowercased().contains("permission denied")
                    ? " (the AMI user needs write = system in manager.conf, unless Asterisk is still booting)" : "")
        case .unexpectedResponse(let action, let response): "AMI action \(action) got an unknown response \(String(reflecting: response))"
        }
    }
}
