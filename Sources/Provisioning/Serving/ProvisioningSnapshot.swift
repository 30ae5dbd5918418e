/// Every file the product serves, rendered once per change of its inputs.
///
/// A phone's request is answered from memory: no database round trip and no
/// rendering on the hot path. A new snapshot replaces the old one whole.
public struct ProvisioningSnapshot: Sendable {
    /// What one known phone gets.
    enum DeviceState: Sendable {
        /// Rendered bodies; one vendor when the vendor is known, all five when only the User-Agent can tell.
        case ready([Vendor: ServedFile], context: RenderContext)
        case refused(MACListVerdict)
        case unavailable(String)
    }

    /// A class, so that looking a phone up on the request path costs one reference count
    /// rather than one per rendered file and context field.
    final class DeviceEntry: Sendable {
        let vendor: Vendor?
        let model: String?
        let state: DeviceState

        init(vendor: Vendor?, model: String?, state: DeviceState) {
            self.vendor = vendor
            self.model = model
            self.state = state
        }
    }

    /// A phone's own file and the phone, held by reference so that a lookup costs one reference count.
    public final class OwnFile: Sendable {
        public let file: ServedFile
        public let mac: MACAddress

        init(file: ServedFile, mac: MACAddress) {
            self.file = file
            self.mac = mac
        }
    }

    struct MappedTemplate: Sendable {
        var name: String
        var vendor: Vendor
        var body: String
        /// Rendered once per snapshot when the template needs no phone's account.
        var shared: ServedFile?
    }

    /// Every field lives in one shared object, so that copying a snapshot (each request
    /// reads the current one) costs one reference count, not one per dictionary.
    private final class Storage: @unchecked Sendable {
        // Mutated only while the snapshot is being built, through the copy-on-write setters below.
        let revision: Int64
        let settings: PnPSettings
        let devices: [MACAddress: DeviceEntry]
        let devicesByIP: [String: MACAddress]
        let mappings: [String: MappedTemplate]
        let additionalParameters: AdditionalParameters
        /// Each ready phone's own file under the exact name its vendor asks for (``ownFiles(devices:mappings:)``).
        let ownFiles: [Substring: OwnFile]
        var tokens: [String: MACAddress] = [:]
        var tokensByMAC: [MACAddress: String] = [:]
        var firmware: [String: StoredFile] = [:]
        var phonebooks: [String: ServedFile] = [:]
        var phonebookEntries: [PhonebookEntry] = []

        init(
            revision: Int64, settings: PnPSettings, devices: [MACAddress: DeviceEntry], devicesByIP: [String: MACAddress],
            mappings: [String: MappedTemplate], additionalParameters: AdditionalParameters, ownFiles: [Substring: OwnFile]? = nil
        ) {
            self.revision = revision
            self.settings = settings
            self.devices = devices
            self.devicesByIP = devicesByIP
            self.mappings = mappings
            self.additionalParameters = additionalParameters
            self.ownFiles = ownFiles ?? ProvisioningSnapshot.ownFiles(devices: devices, mappings: mappings)
        }

        func copy() -> Storage {
            let copy = Storage(
                revision: revision, settings: settings, devices: devices, devicesByIP: devicesByIP, mappings: mappings,
                additionalParameters: additionalParameters, ownFiles: ownFiles)
            copy.tokens = tokens
            copy.tokensByMAC = tokensByMAC
            copy.firmware = firmware
            copy.phonebooks = phonebooks
            copy.phonebookEntries = phonebookEntries
            return copy
        }
    }

    private var storage: Storage

    init(
        revision: Int64, settings: PnPSettings, devices: [MACAddress: DeviceEntry], devicesByIP: [String: MACAddress],
        mappings: [String: MappedTemplate], additionalParameters: AdditionalParameters
    ) {
        storage = Storage(
            revision: revision, settings: settings, devices: devices, devicesByIP: devicesByIP, mappings: mappings,
            additionalParameters: additionalParameters)
    }

    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The store revision it was built from.
    public var revision: Int64 { storage.revision }
    /// The settings it was built with.
    public var settings: PnPSettings {
        // Yielded, not returned: a returned copy would retain each of the settings' strings on every request.
        _read { yield storage.settings }
    }
    var devices: [MACAddress: DeviceEntry] { _read { yield storage.devices } }
    var devicesByIP: [String: MACAddress] { _read { yield storage.devicesByIP } }
    /// Each phone's private URL token (``DeviceToken``) to its MAC.
    var tokens: [String: MACAddress] {
        get { storage.tokens }
        set {
            let storage = uniqueStorage()
            storage.tokens = newValue
            storage.tokensByMAC = Dictionary(newValue.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        }
    }
    var tokensByMAC: [MACAddress: String] { storage.tokensByMAC }

    /// The token of a phone's private URL, for handing it to the phone itself.
    public func token(for mac: MACAddress) -> String? { storage.tokensByMAC[mac] }
    var mappings: [String: MappedTemplate] { _read { yield storage.mappings } }
    var additionalParameters: AdditionalParameters { _read { yield storage.additionalParameters } }
    /// Firmware files by their URL path (`/firmware/3/T46S.rom`, lowercased).
    var firmware: [String: StoredFile] {
        get { storage.firmware }
        set { uniqueStorage().firmware = newValue }
    }
    /// Each vendor's phonebook document by its URL path.
    var phonebooks: [String: ServedFile] {
        get { storage.phonebooks }
        set { uniqueStorage().phonebooks = newValue }
    }
    /// The merged directory the phonebook documents are made from, sorted.
    public internal(set) var phonebookEntries: [PhonebookEntry] {
        get { storage.phonebookEntries }
        set { uniqueStorage().phonebookEntries = newValue }
    }

    /// The vendor of a phone: the one recorded for it, else the one its MAC prefix names.
    public func vendor(of mac: MACAddress) -> Vendor? {
        devices[mac]?.vendor ?? OUITable.vendor(for: mac)
    }

    /// How many phones the snapshot knows.
    public var deviceCount: Int { devices.count }

    /// How many phones are answered 503 because their credentials cannot be had yet.
    public var phonesWaitingForCredentials: Int {
        devices.values.reduce(0) { count, entry in
            if case .unavailable = entry.state { count + 1 } else { count }
        }
    }

    /// A snapshot that knows no phone, for the moment before the first build.
    public static func empty(settings: PnPSettings = .defaults) -> ProvisioningSnapshot {
        ProvisioningSnapshot(
            revision: 0, settings: settings, devices: [:], devicesByIP: [:], mappings: [:],
            additionalParameters: AdditionalParameters(settings.additionalParameters)
        )
    }

    /// The table behind the first lookup of ``answer(path:userAgent:remoteIP:)``: each ready phone's file
    /// under the one name its vendor asks for (``ConfigRequest/fileName(vendor:mac:model:)``), so that the
    /// requests of a mass reboot are answered with one hash lookup instead of parsing the name.
    ///
    /// It holds only what the full path answers the same way whoever asks: phones whose vendor is known
    /// without a User-Agent, and names no URI mapping takes. Any other name (another case, another Snom
    /// model) takes the full path.
    static func ownFiles(devices: [MACAddress: DeviceEntry], mappings: [String: MappedTemplate]) -> [Substring: OwnFile] {
        var table: [Substring: OwnFile] = [:]
        table.reserveCapacity(devices.count)
        for (mac, entry) in devices {
            guard case .ready(let files, _) = entry.state, let vendor = entry.vendor ?? OUITable.vendor(for: mac), let file = files[vendor]
            else { continue }
            let name = ConfigRequest.fileName(vendor: vendor, mac: mac, model: entry.model)
            guard mappings[name.lowercased()] == nil, let request = ConfigRequest(fileName: name[...]), request.mac == mac,
                request.isUsed(by: vendor)
            else { continue }
            table[name[...]] = OwnFile(file: file, mac: mac)
        }
        return table
    }

    /// A ready phone's own file, when `name` (without the leading `/`) is exactly the name its vendor asks
    /// for and nothing else claims it: what ``answer(path:userAgent:remoteIP:)`` answers for that name,
    /// whoever asks. Nil for any other name, which only the full answer decides.
    public func ownFile(named name: Substring) -> OwnFile? {
        storage.ownFiles[name]
    }

    /// Decides what a request gets.
    /// - Parameters:
    ///   - path: The URL path, starting with `/`, without query.
    ///   - userAgent: The request's User-Agent, used to tell vendors apart when nothing else can.
    ///   - remoteIP: The requester's address, used to find the phone behind a URI mapping.
    public func answer(path: Substring, userAgent: String?, remoteIP: String?) -> ProvisioningAnswer {
        var name = path
        while name.utf8.first == UInt8(ascii: "/") { name = name.dropFirst() }
        if let own = storage.ownFiles[name] { return .file(own.file, mac: own.mac) }
        return answer(named: name, userAgent: userAgent, remoteIP: remoteIP)
    }

    /// The answer for a file name (the path without its leading `/`), worked out in full, without the table of own files.
    func answer(named name: Substring, userAgent: String?, remoteIP: String?) -> ProvisioningAnswer {
        // Compared byte by byte: every phone's request passes here, and a first byte rules out most prefixes.
        switch name.utf8.first {
        case UInt8(ascii: "p") where name.hasPrefix("p/"):
            return answerToken(name.dropFirst(2), userAgent: userAgent, remoteIP: remoteIP)
        case UInt8(ascii: "p") where name.hasPrefix("phonebook/"):
            return phonebooks["/" + name.lowercased()].map { .file($0, mac: nil) } ?? .notFound("no phonebook at '/\(name)'")
        case UInt8(ascii: "f") where name.hasPrefix("firmware/"):
            return firmware["/" + name.lowercased()].map { .stored($0) } ?? .notFound("no firmware at '/\(name)'")
        default:
            break
        }
        if !mappings.isEmpty, let mapped = mappings[name.lowercased()] {
            return answerMapped(mapped, path: name, userAgent: userAgent, remoteIP: remoteIP)
        }
        guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "/")), let request = ConfigRequest(fileName: name) else {
            return .notFound("'/\(name)' is not a provisioning file name")
        }
        switch request {
        case .yealinkBoot, .binaryConfig:
            return .notFound("'/\(name)' is not produced; the phone falls back to its next file")
        case .yealinkCommon:
            return .file(
                ServedFile(
                    body: YealinkGenerator().apply(parameters: additionalParameters, to: "#!version:1.0.0.1\n"),
                    contentType: "text/plain; charset=utf-8"), mac: nil)
        case .snomGeneral:
            return .file(
                ServedFile(
                    body: "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<settings>\n</settings>\n", contentType: "application/xml; charset=utf-8"),
                mac: nil)
        case .macConfig(let mac), .snomDevice(_, let mac), .xmlConfig(let mac):
            return answerDevice(mac, request: request, name: name, userAgent: userAgent)
        }
    }

    /// `p/<token>/<file>`: the phone's private URL. A token opens its own phone's files and the
    /// files that hold no secret (common files, firmware, phonebooks); another phone's file is refused.
    private func answerToken(_ rest: Substring, userAgent: String?, remoteIP: String?) -> ProvisioningAnswer {
        guard let slash = rest.firstIndex(of: "/") else {
            return .notFound("'/p/\(rest)' names no file after the token")
        }
        let token = rest[..<slash]
        let file = rest[rest.index(after: slash)...]
        guard DeviceToken.isWellFormed(token) else {
            return .notFound("'/p/\(rest)': the token is malformed")
        }
        guard let owner = tokens[String(token)] else {
            return .forbidden("unknown device token")
        }
        guard !file.isEmpty, !file.hasPrefix("p/") else {
            return .notFound("'/p/<token>/\(file)' names no provisioning file")
        }
        if !mappings.isEmpty, let mapped = mappings[file.lowercased()] {
            return answerMapped(mapped, path: file, mac: owner)
        }
        let answer = self.answer(path: file, userAgent: userAgent, remoteIP: remoteIP)
        if case .file(_, let mac?) = answer, mac != owner {
            return .forbidden("the token of \(owner) does not open the file of \(mac)")
        }
        return answer
    }

    private func answerDevice(_ mac: MACAddress, request: ConfigRequest, name: Substring, userAgent: String?) -> ProvisioningAnswer {
        guard let entry = devices[mac] else {
            return .notFound("unknown MAC \(mac) asked for '/\(name)'")
        }
        let vendor: Vendor?
        if let known = entry.vendor ?? OUITable.vendor(for: mac) {
            vendor = known
        } else {
            vendor = userAgent.flatMap(Vendor.init(userAgent:))
        }
        guard let vendor else {
            return .notFound("cannot tell the vendor of \(mac) (no vendor recorded, unknown MAC prefix, no vendor in User-Agent)")
        }
        guard request.isUsed(by: vendor) else {
            return .notFound(
                "'/\(name)' is a \(request.vendors.map(\.displayName).joined(separator: "/")) file name but \(mac) is a \(vendor.displayName)")
        }
        switch entry.state {
        case .refused(let verdict):
            return .forbidden("\(mac) refused: \(verdict.reason)")
        case .unavailable(let reason):
            return .unavailable("\(mac): \(reason)", retryAfterSeconds: 30)
        case .ready(let files, _):
            guard let file = files[vendor] else {
                return .notFound("no \(vendor.displayName) file for \(mac)")
            }
            return .file(file, mac: mac)
        }
    }

    private func answerMapped(_ mapped: MappedTemplate, path: Substring, userAgent: String?, remoteIP: String?) -> ProvisioningAnswer {
        answerMapped(mapped, path: path, mac: userAgent.flatMap(Self.macInUserAgent) ?? remoteIP.flatMap { devicesByIP[$0] })
    }

    private func answerMapped(_ mapped: MappedTemplate, path: Substring, mac: MACAddress?) -> ProvisioningAnswer {
        if let mac, let entry = devices[mac] {
            switch entry.state {
            case .refused(let verdict):
                return .forbidden("\(mac) refused: \(verdict.reason)")
            case .unavailable(let reason):
                return .unavailable("\(mac): \(reason)", retryAfterSeconds: 30)
            case .ready(_, let context):
                let rendered = ConfigRenderer.render(vendor: mapped.vendor, context: context, template: mapped.body)
                return .file(ServedFile(body: rendered.body, contentType: rendered.contentType), mac: mac)
            }
        }
        guard let shared = mapped.shared else {
            return .notFound("'/\(path)' maps to template '\(mapped.name)', which needs a phone's account, and the requester is not a known phone")
        }
        return .file(shared, mac: nil)
    }

    /// The MAC in a provisioning User-Agent: `00:15:65:4a:a9:37`, `DevId c074ad0b63ee`, `000413922D24`.
    static func macInUserAgent(_ userAgent: String) -> MACAddress? {
        for token in userAgent.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == ";" }) {
            if token.utf8.count == 17, let mac = try? MACAddress(parsing: String(token)) { return mac }
            if let mac = MACAddress(fileNameDigits: token) { return mac }
        }
        return nil
    }
}

extension ProvisioningSnapshot {
    /// Whether `[debug] verbose = 1` asks for a log line per request.
    public var verbose: Bool { additionalParameters.verbose }
}
