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

    /// Whether phones of `vendor` ask for this file name: ``vendors`` without building an array, for the request path.
    public func isUsed(by vendor: Vendor) -> Bool {
        switch self {
        case .macConfig: vendor == .yealink || vendor == .fanvil
        case .yealinkBoot, .yealinkCommon: vendor == .yealink
        case .snomDevice, .snomGeneral: vendor == .snom
        case .xmlConfig, .binaryConfig: vendor == .grandstream || vendor == .htek
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
        // Matched on lowercased ASCII bytes: this runs on every request.
        guard name.utf8.count <= 64 else { return nil }
        let bytes = name.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        let stem: ArraySlice<UInt8>
        if let base = Self.strip(bytes, suffix: ".cfg") {
            if let mac = MACAddress(lowercaseDigits: base) {
                self = .macConfig(mac)
            } else if base.count == 13, base.starts(with: "y0000000000".utf8), base.dropFirst(11).allSatisfy(Self.isAlphanumeric) {
                self = .yealinkCommon(String(decoding: base, as: UTF8.self))
            } else {
                return nil
            }
        } else if let base = Self.strip(bytes, suffix: ".boot") {
            guard MACAddress(lowercaseDigits: base) != nil || base.elementsEqual("y000000000000".utf8) else { return nil }
            self = .yealinkBoot
        } else if bytes.starts(with: "snom".utf8), let base = Self.strip(bytes, suffix: ".htm") {
            stem = base.dropFirst(4)
            if let dash = stem.lastIndex(of: UInt8(ascii: "-")), let mac = MACAddress(lowercaseDigits: stem[(dash + 1)...]) {
                let model = stem[..<dash]
                guard Self.isModel(model) else { return nil }
                self = .snomDevice(model: String(decoding: model, as: UTF8.self), mac)
            } else {
                guard Self.isModel(stem) else { return nil }
                self = .snomGeneral(model: String(decoding: stem, as: UTF8.self))
            }
        } else if bytes.starts(with: "cfg".utf8) {
            let rest = bytes.dropFirst(3)
            if let base = Self.strip(rest, suffix: ".xml") {
                guard let mac = MACAddress(lowercaseDigits: base) else { return nil }
                self = .xmlConfig(mac)
            } else {
                guard let mac = MACAddress(lowercaseDigits: Self.strip(rest, suffix: ".bin") ?? rest) else { return nil }
                self = .binaryConfig(mac)
            }
        } else {
            return nil
        }
    }

    private static func strip<C: Collection<UInt8>>(_ bytes: C, suffix: StaticString) -> C.SubSequence? {
        let count = suffix.utf8CodeUnitCount
        guard bytes.count > count else { return nil }
        let tail = bytes.suffix(count)
        let matches = suffix.withUTF8Buffer { tail.elementsEqual($0) }
        return matches ? bytes.dropLast(count) : nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isModel(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 32 && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }
}
