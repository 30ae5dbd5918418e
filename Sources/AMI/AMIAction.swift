public import NIOCore

/// An action sent to Asterisk: `Action: Name`, an `ActionID`, then its fields.
public struct AMIAction: Sendable, CustomStringConvertible {
    /// The action name (`Login`, `PJSIPShowEndpoints`).
    public var name: String
    /// The fields after `Action` and `ActionID`, in order; names may repeat (`Variable`).
    public var fields: [(String, String)]

    public init(_ name: String, _ fields: [(String, String)] = []) {
        self.name = name
        self.fields = fields
    }

    /// Field names whose values are secrets and are never logged.
    static let secretFields: Set<String> = ["secret", "key"]

    // Lists field names only: `Secret` and `Key` must never reach a log.
    public var description: String {
        "\(name)(" + fields.map { Self.secretFields.contains($0.0.lowercased()) ? "\($0.0)=***" : "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
    }

    /// Writes the action with CRLF line ends and the closing blank line.
    /// - Throws: ``AMIActionError`` when a name or value holds a line break, which would let it inject fields.
    public func encode(actionID: String, into buffer: inout ByteBuffer) throws(AMIActionError) {
        for (field, value) in [("Action", name), ("ActionID", actionID)] + fields {
            guard !field.isEmpty, !field.contains(where: { $0 == ":" || $0.isNewline }), !value.contains(where: \.isNewline) else {
                throw AMIActionError(field: field)
            }
            buffer.writeString(field)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
    }
}

/// An action field or value held a line break or colon and was not sent.
public struct AMIActionError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public var description: String { "AMI field \(String(reflecting: field)) or its value contains a line break; not sent" }
}
