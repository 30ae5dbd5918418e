/// Yealink `<mac>.cfg`: `#!version:1.0.0.1` then `key = value` lines.
struct YealinkGenerator: VendorGenerator {
    var contentType: String { "text/plain; charset=utf-8" }

    func escape(_ value: String) -> String { TextValue.singleLine(value) }

    func defaultBody(_ context: RenderContext) -> String {
        var out = "#!version:1.0.0.1\n"
        for line in context.lines {
            for (key, value) in accountKeys(line, context) {
                out += "\(key) = \(escape(value))\n"
            }
        }
        for (key, value) in Self.globals {
            out += "\(key) = \(value)\n"
        }
        return out
    }

    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String {
        var document = KeyValueDocument(body)
        for line in lines {
            for (key, value) in accountKeys(line, context) { document.set(key, value) }
        }
        return document.text
    }

    func apply(parameters: AdditionalParameters, to body: String) -> String {
        let entries = parameters.entries("yealink")
        guard !entries.isEmpty else { return body }
        var document = KeyValueDocument(body)
        for entry in entries { document.set(entry.key, entry.value) }
        return document.text
    }

    private func accountKeys(_ line: LineAccount, _ context: RenderContext) -> [(String, String)] {
        let n = line.line
        let account = line.credentials
        return [
            ("account.\(n).enable", "1"),
            ("account.\(n).label", "\(account.displayName) (\(account.extensionNumber))"),
            ("account.\(n).display_name", account.displayName),
            ("account.\(n).auth_name", account.authUsername),
            ("account.\(n).user_name", account.extensionNumber),
            ("account.\(n).password", account.password),
            ("account.\(n).sip_server_host", context.settings.pbxHost),
            ("account.\(n).sip_server_port", String(context.settings.sipPort)),
            ("account.\(n).transport", "0"),
            ("account.\(n).codec.1.enable", "1"),
            ("account.\(n).codec.1.payload_type", "PCMU"),
            ("account.\(n).codec.1.priority", "1"),
            ("account.\(n).codec.1.rtpmap", "0"),
            ("account.\(n).cid_source", "4"),
            ("voice_mail.number.\(n)", context.settings.voicemailNumber),
        ]
    }

    private static let globals: [(String, String)] = [
        ("phone_setting.lcd_logo.mode", "0"),
        ("auto_provision.dhcp_option.enable", "0"),
        ("features.intercom.allow", "1"),
        ("features.intercom.mute", "0"),
        ("features.intercom.tone", "1"),
        ("features.intercom.barge", "1"),
        ("features.dtmf.transfer", "##"),
        ("features.dtmf.replace_tran", "1"),
        ("features.headset_prior", "1"),
    ]

    func apply(firmwareURL url: String, to body: String) -> String {
        var document = KeyValueDocument(body)
        document.set("firmware.url", url)
        return document.text
    }

    func apply(phonebookURL url: String, to body: String) -> String {
        var document = KeyValueDocument(body)
        document.set("remote_phonebook.data.1.url", url)
        document.set("remote_phonebook.data.1.name", "Company")
        return document.text
    }

    /// `linekey.N.*` after the line keys, then `expansion_module.M.key.K.*` once the model's keys are used up.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String {
        var document = KeyValueDocument(body)
        let first = context.firstFreeKey
        let capacity = FunctionKeyLayout.yealinkLineKeys(model: context.model)
        for (index, key) in keys.enumerated() {
            let position = first + index
            let prefix: String
            if let capacity, position > capacity {
                let overflow = position - capacity - 1
                prefix =
                    "expansion_module.\(overflow / FunctionKeyLayout.yealinkExpansionKeys + 1).key.\(overflow % FunctionKeyLayout.yealinkExpansionKeys + 1)"
            } else {
                prefix = "linekey.\(position)"
            }
            document.set("\(prefix).type", FunctionKeyLayout.yealinkType(key.kind))
            document.set("\(prefix).line", "1")
            document.set("\(prefix).value", key.value)
            document.set("\(prefix).label", key.label)
        }
        return document.text
    }
}
