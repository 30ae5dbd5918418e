import Foundation

/// The form Grandstream-style P-codes take a download location in: host and folder,
/// without scheme or file name (`192.0.2.10:8480/firmware`). The phone adds its own
/// file name, and the protocol comes from another P-code or the phone's default.
enum PCodeServerPath {
    /// `http://192.0.2.10:8480/firmware/3-ab.rom` gives `192.0.2.10:8480/firmware`.
    static func folder(of url: String) -> String {
        var path = Substring(url)
        if let scheme = path.range(of: "://") { path = path[scheme.upperBound...] }
        if let slash = path.lastIndex(of: "/") { path = path[..<slash] }
        return String(path)
    }

    /// Sets P192, the firmware server path, from a firmware file's URL: shared by Grandstream
    /// and Htek, whose P-codes copy Grandstream's.
    static func settingFirmware(_ url: String, in body: String) -> String {
        var document = XMLLineDocument(body)
        let content = XMLEscaping.escape(folder(of: url))
        document.set("P192", content: content, in: "config", newElement: "<P192>\(content)</P192>")
        return document.text
    }
}
