/// One AMI message: `Key: Value` lines, in wire order.
///
/// Header names are case-insensitive and may repeat (`Variable:`), so the
/// message keeps the list and looks names up without regard to case.
public struct AMIMessage: Hashable, Sendable, CustomStringConvertible {
    /// The headers in the order they arrived.
    public var headers: [(name: String, value: String)]
    /// The raw text of a legacy `Response: Follows` command reply, one element per line.
    public var output: [String]

    public init(_ headers: [(name: String, value: String)] = [], output: [String] = []) {
        self.headers = headers
        self.output = output
    }

    /// The first value of `name` (any case), without trailing line breaks.
    public subscript(_ name: String) -> String? {
        for header in headers where header.name.count == name.count && header.name.lowercased() == name.lowercased() {
            return header.value
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    public var isEvent: Bool { self["Event"] != nil }
    public var isResponse: Bool { self["Response"] != nil }
    public var actionID: String? { self["ActionID"] }

    // Never prints values: a message may carry `Secret`, `Key` or `Password`.
    public var description: String {
        "AMIMessage(" + headers.map(\.name).joined(separator: ",") + ")"
    }

    public static func == (lhs: AMIMessage, rhs: AMIMessage) -> Bool {
        lhs.output == rhs.output && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
        hasher.combine(output)
    }
}

/// What the AMI byte stream carries: the banner line once, then messages.
public enum AMIFrame: Hashable, Sendable {
    /// `Asterisk Call Manager/<version>`: the version part.
    case banner(version: String)
    case message(AMIMessage)
}
