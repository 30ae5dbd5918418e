/// A rendered configuration file and what went wrong while rendering it.
public struct RenderedConfig: Hashable, Sendable {
    /// The file body exactly as the phone receives it.
    public var body: String
    /// The HTTP content type.
    public var contentType: String
    /// `{NAME}` placeholders in the template that are not known, left as they were.
    public var unknownPlaceholders: [String]
    /// Lines the template could not hold (e.g. a seventh Grandstream account).
    public var warnings: [String]
}

/// Turns a context, a vendor and an optional template into a file body.
///
/// An empty template means the vendor's built-in default body. A template's
/// text is the file, with placeholders for line 1; further lines of the phone
/// are merged into it. Additional Parameters are merged last, so they win.
public enum ConfigRenderer {
    /// - Parameters:
    ///   - vendor: The format to write.
    ///   - context: The phone, its lines and the settings.
    ///   - template: The template body; `nil` or blank for the built-in default.
    public static func render(vendor: Vendor, context: RenderContext, template: String?) -> RenderedConfig {
        let generator = vendor.generator
        var warnings: [String] = []
        var context = context
        if vendor == .grandstream || vendor == .htek, let extra = context.lines.first(where: { $0.line > PCodeAccount.maximumLines }) {
            warnings.append("line \(extra.line) and above are not supported by \(vendor.displayName) P-codes and were left out")
            context.lines.removeAll { $0.line > PCodeAccount.maximumLines }
        }
        var body: String
        var unknown: [String] = []
        if let template, !template.allSatisfy(\.isWhitespace) {
            let first = context.lines[0].credentials
            let values: [Placeholder: String] = [
                .sipNumber: generator.escape(first.extensionNumber),
                .sipUserName: generator.escape(first.authUsername),
                .sipPassword: generator.escape(first.password),
                .pbxHost: generator.escape(context.settings.pbxHost),
                .firmwareURL: generator.escape(context.firmwareURL),
                .displayName: generator.escape(first.displayName),
                .sipPort: String(context.settings.sipPort),
                .mac: context.mac.compact,
            ]
            (body, unknown) = PlaceholderSubstitution.substitute(template, values: values)
            let otherLines = context.lines.filter { $0.line != context.lines[0].line }
            if !otherLines.isEmpty {
                body = generator.apply(lines: otherLines, to: body, context: context)
            }
        } else {
            body = generator.defaultBody(context)
        }
        if !context.firmwareURL.isEmpty { body = generator.apply(firmwareURL: context.firmwareURL, to: body) }
        if let url = context.phonebookURL(vendor) { body = generator.apply(phonebookURL: url, to: body) }
        if !context.keys.isEmpty { body = generator.apply(keys: context.keys, to: body, context: context) }
        body = generator.apply(parameters: context.additionalParameters, to: body)
        return RenderedConfig(body: body, contentType: generator.contentType, unknownPlaceholders: unknown, warnings: warnings)
    }
}

extension ConfigRenderer {
    /// Renders a template that names no account, for a URL no particular phone owns.
    /// - Returns: `nil` when the template uses an account placeholder and so needs a phone.
    public static func renderShared(vendor: Vendor, settings: PnPSettings, template: String, parameters: AdditionalParameters) -> RenderedConfig? {
        let generator = vendor.generator
        let accountPlaceholders: [Placeholder] = [.sipNumber, .sipUserName, .sipPassword, .displayName, .mac]
        let values: [Placeholder: String] = [
            .pbxHost: generator.escape(settings.pbxHost), .sipPort: String(settings.sipPort), .firmwareURL: "",
        ]
        let (body, unknown) = PlaceholderSubstitution.substitute(template, values: values)
        // Account placeholders stay unsubstituted here: their presence means the file needs a phone.
        guard !unknown.contains(where: { name in accountPlaceholders.contains { $0.rawValue == name } }) else { return nil }
        return RenderedConfig(
            body: generator.apply(parameters: parameters, to: body), contentType: generator.contentType, unknownPlaceholders: unknown, warnings: []
        )
    }
}
