/// Htek `cfg<mac>.xml`: `<hl_provision>` with Grandstream-style P-codes carrying a `para` alias.
struct HtekGenerator: VendorGenerator {
    var contentType: String { "application/xml; charset=utf-8" }

    func escape(_ value: String) -> String { XMLEscaping.escape(value) }

    func defaultBody(_ context: RenderContext) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8" ?>
            <hl_provision version="1">
                <config version="1">

            """
        for line in context.lines {
            for (code, para, value) in accountCodes(line, context) {
                out += "        <\(code) para=\"\(para)\">\(escape(value))</\(code)>\n"
            }
        }
        out += "    </config>\n</hl_provision>\n"
        return out
    }

    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        for line in lines {
            for (code, para, value) in accountCodes(line, context) {
                let content = escape(value)
                document.set(code, content: content, in: "config", newElement: "<\(code) para=\"\(para)\">\(content)</\(code)>")
            }
        }
        return document.text
    }

    func apply(parameters: AdditionalParameters, to body: String) -> String {
        PCodeMerge.apply(parameters.entries("htek"), to: body)
    }

    private func accountCodes(_ line: LineAccount, _ context: RenderContext) -> [(String, String, String)] {
        guard let codes = PCodeAccount.forLine(line.line) else { return [] }
        let n = line.line
        let account = line.credentials
        let server = "\(context.settings.pbxHost):\(context.settings.sipPort)"
        var result: [(String, String, String)] = [(codes.sipServer, "Profile\(n)_Sipserver", server)]
        if n == 1 {
            result += [("P130", "Profile1_SipTransport", "0"), ("P31", "Profile1_SipRegistration", "1")]
        }
        result += [
            (codes.active, "Account\(n)_Active", "1"),
            (codes.userID, "Account\(n)_SipUserId", account.extensionNumber),
            (codes.authID, "Account\(n)_AuthenticateID", account.authUsername),
            (codes.password, "Account\(n)_AuthenticatePassword", account.password),
            (codes.displayName, "Account\(n)_DispalyName", account.displayName),
        ]
        return result
    }

    /// The firmware location in the file's own P-code form: Htek P-codes follow Grandstream's,
    /// where P192 is the firmware server path (host and folder, no scheme). The `auto_image_url`
    /// key of the product description has no Htek source and would be the file's only
    /// element without a P-code, so it is not written.
    func apply(firmwareURL url: String, to body: String) -> String {
        PCodeServerPath.settingFirmware(url, in: body)
    }

    func apply(phonebookURL url: String, to body: String) -> String {
        var document = XMLLineDocument(body)
        document.set("P330", content: "1", in: "config", newElement: "<P330 para=\"PhonebookXmlDownload_Enable\">1</P330>")
        let content = escape(url)
        document.set("P331", content: content, in: "config", newElement: "<P331 para=\"PhonebookXmlDownload_ServerPath\">\(content)</P331>")
        return document.text
    }

    /// Line keys after the account keys: type (3 BLF, 2 speed dial), value, label, account (255: automatic), pickup extension.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String {
        var document = XMLLineDocument(body)
        for (index, key) in keys.enumerated() {
            let n = context.firstFreeKey + index
            let codes = FunctionKeyLayout.htekCodes(key: n)
            var entries = [
                (codes.type, "Type", FunctionKeyLayout.htekType(key.kind)), (codes.value, "Value", escape(key.value)),
                (codes.label, "Label", escape(key.label)), (codes.account, "Account", "255"), (codes.extension, "Extension", escape(key.value)),
            ]
            if let mode = codes.mode { entries.append((mode, "Mode", "0")) }
            for (code, name, value) in entries {
                document.set(
                    "P\(code)", content: value, in: "config", newElement: "<P\(code) para=\"LineKey\(n)_\(name)\">\(value)</P\(code)>"
                )
            }
        }
        return document.text
    }
}
