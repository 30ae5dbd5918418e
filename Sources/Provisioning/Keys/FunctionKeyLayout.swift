/// Where each vendor puts a phone's programmable keys, and the codes it uses for them.
///
/// Sources: the key syntaxes of Wazo's provd plugins for Yealink (`linekey.N.*`,
/// `expansion_module.M.key.K.*`), Snom (`<fkey idx>` with `blf`/`speed`), Fanvil
/// (`FkeyN Type/Value/Title`, value `EXT@LINE/b` or `/f`), Grandstream (MPK P-codes)
/// and Htek (LineKey P-codes).
enum FunctionKeyLayout {
    /// Yealink line keys per model family, pages included; keys beyond go to expansion modules.
    /// A model not listed keeps every key on the phone.
    static let yealinkLineKeys: [String: Int] = [
        "T21": 2, "T23": 3, "T27": 21, "T29": 27, "T31": 2, "T33": 4, "T34": 4, "T40": 3, "T41": 15, "T42": 15,
        "T43": 21, "T46": 27, "T48": 29, "T53": 21, "T54": 27, "T57": 29, "T58": 27,
    ]

    /// Keys on one Yealink expansion module (EXP40/EXP43: 20 keys on 2 pages).
    static let yealinkExpansionKeys = 40

    /// The Yealink line-key count for `model` (`SIP-T46S`, `T46U`), or nil when unknown.
    static func yealinkLineKeys(model: String?) -> Int? {
        guard var name = model?.uppercased() else { return nil }
        if name.hasPrefix("SIP-") { name.removeFirst(4) }
        if name.hasPrefix("SIP") { name.removeFirst(3) }
        return yealinkLineKeys[String(name.prefix(3))]
    }

    /// Yealink key type codes.
    static func yealinkType(_ kind: FunctionKey.Kind) -> String {
        switch kind {
        case .blf: "16"
        case .speed: "13"
        }
    }

    /// Grandstream multi-purpose key modes (P323 family): 0 speed dial, 1 BLF.
    static func grandstreamMode(_ kind: FunctionKey.Kind) -> String {
        switch kind {
        case .blf: "1"
        case .speed: "0"
        }
    }

    /// Htek line key types: 2 speed dial, 3 BLF (1 is a line).
    static func htekType(_ kind: FunctionKey.Kind) -> String {
        switch kind {
        case .blf: "3"
        case .speed: "2"
        }
    }

    /// Htek P-codes of line key `n` (from 1): type, value, label, account, extension, and mode when it has one.
    static func htekCodes(key n: Int) -> (type: Int, value: Int, label: Int, account: Int, extension: Int, mode: Int?) {
        let base: Int
        let step: Int
        if n < 5 {
            base = 41200 + n - 1
            step = 100
        } else if n < 37 {
            base = 20200 + 5 * (n - 5)
            step = 1
        } else {
            base = 23000 + 5 * (n - 37)
            step = 1
        }
        let mode = n < 37 ? 20600 + n - 1 : nil
        return (base, base + step, base + 2 * step, base + 3 * step, base + 4 * step, mode)
    }

    /// Grandstream P-codes of multi-purpose key `n` (from 1): mode, account, name, value.
    /// Keys 1 to 7 use the classic P323-P329 / P301-P321 codes, later keys the P23000 series.
    static func grandstreamCodes(key n: Int) -> (mode: Int, account: Int, name: Int, value: Int) {
        if n <= 7 {
            return (322 + n, 300 + 3 * n - 2, 300 + 3 * n - 1, 300 + 3 * n)
        }
        let base = 23000 + (n - 1) * 5
        return (base, base + 1, base + 2, base + 3)
    }
}
