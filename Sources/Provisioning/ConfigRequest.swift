/// A provisioning file name, classified by the vendor conventions of the phones that ask for it.
public enum ConfigRequest: Hashable, Sendable {
    /// `<mac>.cfg`: Yealink or Fanvil.
    case macConfig(MACAddress)
    /// `<mac>.boot` or `y000000000000.boot`: Yealink boot files, answered 404 so the phone falls back to `.cfg`.
    case yealinkBoot
    /// `y0000000000XX.cfg`: Yealink's per-model common file.
    case yealinkCommon(String)
    /// `snom<model>-<MAC>.htm`.
    case snomDevice(model: String, MACAddress)
    /// `snom<model>.htm`, the per-model file every Snom asks for first.
    case snomGeneral(model: String)
    /// `cfg<mac>.xml`: Grandstream or Htek.
    case xmlConfig(MACAddress)
    /// `cfg<mac>` / `cfg<mac>.bin`: encrypted or binary forms we do not produce.
    case binaryConfig(MACAddress)

    /// Which vendors use this file name.
    public var vendors: [Vendor] {
        switch self {
        case .macConfig: [.yealink, .fanvil]
        case .yealinkBoot, .yealinkCommon: [.yealink]
        case .snomDevice, .snomGeneral: [.snom]
        case .xmlConfig, .binaryConfig: [.grandstream, .htek]
        }
    }

    /// The phone the file belongs to, for MAC-specific names.
    public var mac: MACAddress? {
        switch self {
        case .macConfig(let mac), .snomDevice(_, let mac), .xmlConfig(let mac), .binaryConfig(let mac): mac
        case .yealinkBoot, .yealinkCommon, .snomGeneral: nil
        }
    }

    /// The file name a phone of `vendor` asks for its own configuration.
    /// - Parameters:
    ///   - vendor: The phone's vendor.
    ///   - mac: The phone's address.
    ///   - model: The model, which Snom puts in the name (`D785` when unknown).
    public static func fileName(vendor: Vendor, mac: MACAddress, model: String?) -> String {
        switch vendor {
        case .yealink, .fanvil: "\(mac.compact).cfg"
        case .snom: "snom\(snomModel(model))-\(mac.uppercase).htm"
        case .grandstream, .htek: "cfg\(mac.compact).xml"
        }
    }

    private static func snomModel(_ model: String?) -> String {
        var model = (model ?? "D785").filter { $0.isLetter || $0.isNumber }
        if model.lowercased().hasPrefix("snom") { model.removeFirst(4) }
        return model.isEmpty ? "D785" : model
    }

    /// Classifies a file name (the URL path without its leading `/`), in any case.
    /// - Parameter name: One path segment, e.g. `001565aabbcc.cfg`.
    /// - Returns: `nil` when the name follows no vendor convention.
    public init?(fileName name: Substring) {
        let lower = name.lowercased()
        let name = lower[...]
        if name.hasSuffix(".cfg") {
            let stem = name.dropLast(4)
            if let mac = MACAddress(fileNameDigits: stem) {
                self = .macConfig(mac)
                return
            }
            if stem.utf8.count == 13, stem.hasPrefix("y0000000000"), stem.dropFirst(11).allSatisfy({ $0.isASCII && $0.isLetter || $0.isNumber }) {
                self = .yealinkCommon(String(stem))
                return
            }
            return nil
        }
        if name.hasSuffix(".boot") {
            let stem = name.dropLast(5)
            guard MACAddress(fileNameDigits: stem) != nil || stem == "y000000000000" else { return nil }
            self = .yealinkBoot
            return
        }
        if name.hasPrefix("snom"), name.hasSuffix(".htm") {
            let stem = name.dropFirst(4).dropLast(4)
            if let dash = stem.lastIndex(of: "-"), let mac = MACAddress(fileNameDigits: stem[stem.index(after: dash)...]) {
                let model = stem[..<dash]
                guard Self.isModel(model) else { return nil }
                self = .snomDevice(model: String(model), mac)
                return
            }
            guard Self.isModel(stem) else { return nil }
            self = .snomGeneral(model: String(stem))
            return
        }
        if name.hasPrefix("cfg") {
            var stem = name.dropFirst(3)
            let isXML = stem.hasSuffix(".xml")
            if isXML { stem = stem.dropLast(4) } else if stem.hasSuffix(".bin") { stem = stem.dropLast(4) }
            guard let mac = MACAddress(fileNameDigits: stem) else { return nil }
            self = isXML ? .xmlConfig(mac) : .binaryConfig(mac)
            return
        }
        return nil
    }

    private static func isModel(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
