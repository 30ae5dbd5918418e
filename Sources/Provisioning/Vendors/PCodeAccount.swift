/// The P-codes of one account on Grandstream-style phones (Grandstream, and Htek which copies them).
struct PCodeAccount {
    var active: String
    var accountName: String
    var sipServer: String
    var userID: String
    var authID: String
    var password: String
    var displayName: String
    var allowSIPReset: String

    /// Accounts 1 to 6, as the Grandstream provisioning guide numbers them.
    static func forLine(_ line: Int) -> PCodeAccount? {
        switch line {
        case 1: PCodeAccount(codes: (271, 270, 47, 35, 36, 34, 3), reset: "P26015")
        case 2: PCodeAccount(codes: (401, 417, 402, 404, 405, 406, 407), reset: "P26115")
        case 3: PCodeAccount(codes: (501, 517, 502, 504, 505, 506, 507), reset: "P26215")
        case 4: PCodeAccount(codes: (601, 617, 602, 604, 605, 606, 607), reset: "P26315")
        case 5: PCodeAccount(codes: (1701, 1717, 1702, 1704, 1705, 1706, 1707), reset: "P26415")
        case 6: PCodeAccount(codes: (1801, 1817, 1802, 1804, 1805, 1806, 1807), reset: "P26515")
        default: nil
        }
    }

    private init(codes: (Int, Int, Int, Int, Int, Int, Int), reset: String) {
        active = "P\(codes.0)"
        accountName = "P\(codes.1)"
        sipServer = "P\(codes.2)"
        userID = "P\(codes.3)"
        authID = "P\(codes.4)"
        password = "P\(codes.5)"
        displayName = "P\(codes.6)"
        allowSIPReset = reset
    }

    /// The highest line number with known P-codes.
    static let maximumLines = 6
}

/// Sets P-codes inside a `<config>` element, in place or appended before `</config>`.
enum PCodeMerge {
    static func apply(_ entries: [AdditionalParameters.Entry], to body: String) -> String {
        guard !entries.isEmpty else { return body }
        var document = XMLLineDocument(body)
        for entry in entries {
            let content = entry.isMarkup ? entry.value : XMLEscaping.escape(entry.value)
            document.set(entry.key, content: content, in: "config", newElement: "<\(entry.key)>\(content)</\(entry.key)>")
        }
        return document.text
    }
}
