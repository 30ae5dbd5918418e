/// Fanvil `<mac>.cfg` in the `<<VOIP CONFIG FILE>>` text format.
struct FanvilGenerator: VendorGenerator {
    var contentType: String { "text/plain; charset=utf-8" }

    func escape(_ value: String) -> String { TextValue.singleLine(value) }

    /// Additional Parameters sections and the module each one extends (nil: the top-level part).
    static let sections: [(String, String?)] = [
        ("fanvil", nil),
        ("fanvil-sip", "SIP CONFIG MODULE"),
        ("fanvil-tele", "TELE CONFIG MODULE"),
        ("fanvil-autoupdate", "AUTOUPDATE CONFIG MODULE"),
    ]

    func defaultBody(_ context: RenderContext) -> String {
        var out = "<<VOIP CONFIG FILE>>Version:2.0002\n"
        out += FanvilDocument.line("PNP Enable", "0") + "\n"
        out += "<SIP CONFIG MODULE>\n"
        for line in context.lines {
            for (key, value) in lineKeys(line, context) {
                out += FanvilDocument.line(key, value) + "\n"
            }
        }
        return out
    }

    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String {
        var document = FanvilDocument(body)
        for line in lines {
            for (key, value) in lineKeys(line, context) { document.set(key, value, module: "SIP CONFIG MODULE") }
        }
        return document.text
    }

    func apply(parameters: AdditionalParameters, to body: String) -> String {
        var document = FanvilDocument(body)
        for (section, module) in Self.sections {
            for entry in parameters.entries(section) { document.set(entry.key, entry.value, module: module) }
        }
        return document.text
    }

    private func lineKeys(_ line: LineAccount, _ context: RenderContext) -> [(String, String)] {
        let n = line.line
        let account = line.credentials
        return [
            ("SIP\(n) Enable Reg", "1"),
            ("SIP\(n) Phone Number", account.extensionNumber),
            ("SIP\(n) Display Name", account.displayName),
            ("SIP\(n) Register Addr", context.settings.pbxHost),
            ("SIP\(n) Register Port", String(context.settings.sipPort)),
            ("SIP\(n) Register User", account.authUsername),
            ("SIP\(n) Register Pswd", account.password),
        ]
    }

    func apply(firmwareURL url: String, to body: String) -> String {
        var document = FanvilDocument(body)
        document.set("App URL", url, module: "AUTOUPDATE CONFIG MODULE")
        return document.text
    }

    /// No source gives the legacy text format's phonebook key; the file is left as it is and the phone
    /// can be pointed at `/phonebook/fanvil.xml` by hand or through Additional Parameters.
    func apply(phonebookURL url: String, to body: String) -> String {
        body
    }

    /// `FkeyN Type :1` (memory key) and `FkeyN Value :EXT@1/b` (BLF) or `/f` (speed dial) in `<DSS CONFIG MODULE>`.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String {
        var document = FanvilDocument(body)
        for (index, key) in keys.enumerated() {
            let n = context.firstFreeKey + index
            let suffix = key.kind == .blf ? "b" : "f"
            document.set("Fkey\(n) Type", "1", module: "DSS CONFIG MODULE")
            document.set("Fkey\(n) Value", "\(key.value)@1/\(suffix)", module: "DSS CONFIG MODULE")
            document.set("Fkey\(n) Title", key.label, module: "DSS CONFIG MODULE")
        }
        return document.text
    }
}
