/// Snom `snom<model>-<MAC>.htm`: a `<settings>` document with per-line `<phone-settings>`.
struct SnomGenerator: VendorGenerator {
    var contentType: String { "application/xml; charset=utf-8" }

    func escape(_ value: String) -> String { XMLEscaping.escape(value) }

    func defaultBody(_ context: RenderContext) -> String {
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <settings>
                <time_24_format perm="R">off</time_24_format>
                <phone-settings>

            """
        for line in context.lines {
            for (name, value) in lineSettings(line, context) {
                out += "        <\(name) idx=\"\(line.line)\" perm=\"RW\">\(escape(value))</\(name)>\n"
            }
        }
        out += "    </phone-settings>\n</settings>\n"
        return out
    }

    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        for line in lines {
            for (name, value) in lineSettings(line, context) {
                let content = escape(value)
                document.set(
                    name, idx: String(line.line), content: content, in: "phone-settings",
                    newElement: "<\(name) idx=\"\(line.line)\" perm=\"RW\">\(content)</\(name)>"
                )
            }
        }
        return document.text
    }

    func apply(parameters: AdditionalParameters, to body: String) -> String {
        var document = XMLLineDocument(body)
        for (section, container, anchor) in [("snom", "settings", "phone-settings"), ("snom-phone-settings", "phone-settings", nil)] {
            for entry in parameters.entries(section) {
                let (name, idx) = Self.splitIndex(entry.key)
                let content = entry.isMarkup ? entry.value : escape(entry.value)
                let idxAttribute = idx.map { " idx=\"\($0)\"" } ?? ""
                document.set(
                    name, idx: idx, content: content, in: container, insertBefore: anchor,
                    newElement: "<\(name)\(idxAttribute) perm=\"RW\">\(content)</\(name)>"
                )
            }
        }
        return document.text
    }

    /// `user_host[2]` names the setting `user_host` with `idx="2"`.
    static func splitIndex(_ key: String) -> (String, String?) {
        guard key.hasSuffix("]"), let open = key.firstIndex(of: "[") else { return (key, nil) }
        let idx = key[key.index(after: open)..<key.index(before: key.endIndex)]
        guard !idx.isEmpty, idx.allSatisfy(\.isNumber) else { return (key, nil) }
        return (String(key[..<open]), String(idx))
    }

    private func lineSettings(_ line: LineAccount, _ context: RenderContext) -> [(String, String)] {
        let account = line.credentials
        return [
            ("user_pname", account.authUsername),
            ("user_name", account.extensionNumber),
            ("user_realname", account.displayName),
            ("user_pass", account.password),
            ("user_host", context.sipServer),
            ("user_srtp", "off"),
            ("user_mailbox", context.settings.voicemailNumber),
        ]
    }

    func apply(firmwareURL url: String, to body: String) -> String {
        var document = XMLLineDocument(body)
        let content = escape(url)
        document.set("firmware", content: content, in: "phone-settings", newElement: "<firmware perm=\"RW\">\(content)</firmware>")
        return document.text
    }

    /// The directory key opens the XML-browser phonebook.
    func apply(phonebookURL url: String, to body: String) -> String {
        var document = XMLLineDocument(body)
        let content = escape("url " + url)
        document.set("dkey_directory", content: content, in: "phone-settings", newElement: "<dkey_directory perm=\"RW\">\(content)</dkey_directory>")
        return document.text
    }

    /// `<fkey idx="N">blf <sip:EXT@host></fkey>` or `speed EXT` in `<functionKeys>`; fkey 0 is line 1.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        document.ensureContainer("functionKeys", openTag: "<functionKeys e=\"2\">", in: "settings")
        for (index, key) in keys.enumerated() {
            let idx = String(context.firstFreeKey - 1 + index)
            let action =
                switch key.kind {
                case .blf: "blf <sip:\(key.value)@\(context.settings.pbxHost)>"
                case .speed: "speed \(key.value)"
                }
            let content = escape(action)
            let label = escape(key.label)
            document.set(
                "fkey", idx: idx, content: content, in: "functionKeys",
                newElement: "<fkey idx=\"\(idx)\" context=\"active\" label=\"\(label)\" perm=\"RW\">\(content)</fkey>",
                replacingElement: true
            )
        }
        return document.text
    }
}
