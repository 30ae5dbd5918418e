/// Writes one vendor's configuration file format.
protocol VendorGenerator: Sendable {
    /// The HTTP content type of the file.
    var contentType: String { get }
    /// The body for an empty template: every line of the context and the vendor's defaults.
    func defaultBody(_ context: RenderContext) -> String
    /// Writes the given lines' account settings into an existing body (a template's text).
    func apply(lines: [LineAccount], to body: String, context: RenderContext) -> String
    /// Merges the vendor's Additional Parameters sections into a body.
    func apply(parameters: AdditionalParameters, to body: String) -> String
    /// Writes the vendor's firmware line for `url` (SEED.md, "Firmware").
    func apply(firmwareURL url: String, to body: String) -> String
    /// Points the phone at its phonebook document.
    func apply(phonebookURL url: String, to body: String) -> String
    /// Writes the phone's programmable keys (BLF, speed dial) in the vendor's key syntax.
    func apply(keys: [FunctionKey], to body: String, context: RenderContext) -> String
    /// Makes a placeholder value safe for the format (XML escaping, single line).
    func escape(_ value: String) -> String
}

extension Vendor {
    var generator: any VendorGenerator {
        switch self {
        case .yealink: YealinkGenerator()
        case .snom: SnomGenerator()
        case .fanvil: FanvilGenerator()
        case .grandstream: GrandstreamGenerator()
        case .htek: HtekGenerator()
        }
    }
}
