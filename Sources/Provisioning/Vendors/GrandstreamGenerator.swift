import Foundation

/// Grandstream `cfg<mac>.xml`: `<gs_provision>` with P-code elements.
struct GrandstreamGenerator: VendorGenerator {
    var contentType: String { "application/xml; charset=utf-8" }

    func escape(_ value: String) -> String { XMLEscaping.escape(value) }

    func defaultBody(_ context: RenderContext) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8" ?>
            <gs_provision version="1">
             <mac>\(context.mac.compact)</mac>
             <config version="1">

            """
        for line in context.lines {
            for (code, value) in accountCodes(line, context) {
                out += "    <\(code)>\(escape(value))</\(code)>\n"
            }
        }
        for (code, value) in serverCodes(context) {
            out += "    <\(code)>\(escape(value))</\(code)>\n"
        }
        out += " </config>\n</gs_provision>\n"
        return out
    }

    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        for line in lines {
            for (code, value) in accountCodes(line, context) {
                let content = escape(value)
                document.set(code, content: content, in: "config", newElement: "<\(code)>\(content)</\(code)>")
            }
        }
        return document.text
    }

    func apply(parameters: AdditionalParameters, to body: String) -> String {
        PCodeMerge.apply(parameters.entries("grandstream"), to: body)
    }

    private func accountCodes(_ line: LineAccount, _ context: RenderContext) -> [(String, String)] {
        guard let codes = PCodeAccount.forLine(line.line) else { return [] }
        let account = line.credentials
        return [
            (codes.active, "1"),
            (codes.accountName, account.displayName),
            (codes.sipServer, context.sipServer),
            (codes.userID, account.extensionNumber),
            (codes.authID, account.authUsername),
            (codes.password, account.password),
            (codes.displayName, account.displayName),
            (codes.allowSIPReset, "1"),
        ]
    }

    /// Where the phone fetches its configuration from from now on: this server, over HTTP.
    private func serverCodes(_ context: RenderContext) -> [(String, String)] {
        [
            ("P212", "1"),
            ("P237", "\(context.settings.pbxHost):\(context.settings.httpPort)"),
        ]
    }

    /// P192 is the firmware server path: host and folder without scheme; P212 (set above) says HTTP.
    func apply(firmwareURL url: String, to body: String) -> String {
        PCodeServerPath.settingFirmware(url, in: body)
    }

    /// P330 1 downloads the phonebook over HTTP from P331, a path without scheme.
    func apply(phonebookURL url: String, to body: String) -> String {
        var document = XMLLineDocument(body)
        document.set("P330", content: "1", in: "config", newElement: "<P330>1</P330>")
        let content = escape(PCodeServerPath.folder(of: url))
        document.set("P331", content: content, in: "config", newElement: "<P331>\(content)</P331>")
        return document.text
    }

    /// Multi-purpose keys: mode (1 BLF, 0 speed dial), account 1, name and value P-codes.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        for (index, key) in keys.enumerated() {
            let codes = FunctionKeyLayout.grandstreamCodes(key: index + 1)
            for (code, value) in [
                (codes.mode, FunctionKeyLayout.grandstreamMode(key.kind)), (codes.account, "0"), (codes.name, escape(key.label)),
                (codes.value, escape(key.value)),
            ] {
                document.set("P\(code)", content: value, in: "config", newElement: "<P\(code)>\(value)</P\(code)>")
            }
        }
        return document.text
    }
}
