import Foundation
public import Logging

/// Builds a ``ProvisioningSnapshot`` from the store and a credential source.
public struct SnapshotBuilder: Sendable {
    let store: ProvisioningStore
    let credentials: any CredentialSource
    let maskSecrets: Bool
    let externalPhonebooks: PhonebookCache?
    let advertisedHTTPPort: Int?
    let httpsPort: ListeningPort?

    /// - Parameters:
    ///   - store: Where devices, bindings, templates and settings live.
    ///   - credentials: Where SIP passwords come from.
    ///   - maskSecrets: Render `********` instead of every password, for output shown to a person.
    ///   - externalPhonebooks: Entries fetched from other instances, merged into the phonebook.
    ///   - advertisedHTTPPort: The port phones reach the HTTP server on when it is not the `http-port` setting
    ///     (`serve --http-port`); URLs in files (firmware, phonebook) name it.
    ///   - httpsPort: The port the HTTPS server listens on, holding nil while HTTPS is off; with
    ///     `phone-scheme auto` URLs in files name it.
    public init(
        store: ProvisioningStore, credentials: any CredentialSource, maskSecrets: Bool = false, externalPhonebooks: PhonebookCache? = nil,
        advertisedHTTPPort: Int? = nil, httpsPort: ListeningPort? = nil
    ) {
        self.store = store
        self.credentials = credentials
        self.maskSecrets = maskSecrets
        self.externalPhonebooks = externalPhonebooks
        self.advertisedHTTPPort = advertisedHTTPPort
        self.httpsPort = httpsPort
    }

    /// Reads the store, asks for the credentials, and renders every phone's file.
    /// - Parameters:
    ///   - logger: Where render problems (unknown placeholders, bad INI lines) are reported.
    ///   - only: Render this phone alone (a preview); the snapshot then holds no other phone, no phonebook
    ///     and no firmware files.
    /// - Returns: The snapshot, and the problems found.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func build(logger: Logger, only: MACAddress? = nil) async throws(StoreError) -> (ProvisioningSnapshot, [String]) {
        var inputs = try store.catalogInputs()
        if let only { inputs.devices.removeAll { (try? $0.address) != only } }
        var settings = inputs.settings
        if maskSecrets { settings.guestSecret = "********" }
        let parameters = AdditionalParameters(settings.additionalParameters)
        var problems = parameters.problems.map { "\($0) (skipped)" }
        if let advertisedHTTPPort, advertisedHTTPPort != settings.httpPort {
            // The listener is bound once; files must name the port that answers, not one nobody listens on yet.
            problems.append(
                "http-port is \(settings.httpPort) but the HTTP server listens on \(advertisedHTTPPort): files name \(advertisedHTTPPort) until serve is restarted"
            )
            settings.httpPort = advertisedHTTPPort
        }
        settings.httpsListening = httpsPort?.value
        if settings.phoneScheme == .https, settings.httpsListening == nil {
            problems.append("phone-scheme is https but HTTPS is off (no certificate, or serve --https off): files name https URLs nobody answers")
        }

        let wanted = Set(inputs.devices.flatMap { inputs.bindings[$0.id!] ?? [] }.map(\.extensionNumber))
        var known: [String: SIPCredentials] = [:]
        var credentialFailure: String?
        do {
            known = try await credentials.credentials(for: wanted)
            if maskSecrets { known = known.mapValues { $0.masked() } }
        } catch {
            credentialFailure = error.description
        }
        let guest = SIPCredentials(
            extensionNumber: settings.guestUsername, authUsername: settings.guestUsername, password: settings.guestSecret, displayName: "Guest"
        )
        let defaults = Dictionary(inputs.templates.values.filter(\.isVendorDefault).map { ($0.vendor, $0) }, uniquingKeysWith: { first, _ in first })

        var devices: [MACAddress: ProvisioningSnapshot.DeviceEntry] = [:]
        var byIP: [String: MACAddress] = [:]
        var tokens: [String: MACAddress] = [:]
        for device in inputs.devices {
            guard let mac = try? device.address else { continue }
            if let ip = device.lastIP { byIP[ip] = mac }
            tokens[device.token] = mac
            let vendor = device.vendor ?? OUITable.vendor(for: mac)
            let entry: (ProvisioningSnapshot.DeviceState) -> ProvisioningSnapshot.DeviceEntry = {
                .init(vendor: device.vendor, model: device.model, state: $0)
            }
            let verdict = settings.admits(mac)
            guard verdict == .allowed else {
                devices[mac] = entry(.refused(verdict))
                continue
            }
            let bindings = inputs.bindings[device.id!] ?? []
            var lines: [LineAccount] = []
            var missing: [String] = []
            if bindings.isEmpty {
                lines = [LineAccount(line: 1, credentials: guest)]
            } else if let credentialFailure {
                devices[mac] = entry(.unavailable(credentialFailure))
                continue
            } else {
                for binding in bindings {
                    if let account = known[binding.extensionNumber] {
                        lines.append(LineAccount(line: binding.line, credentials: account))
                    } else {
                        missing.append(binding.extensionNumber)
                    }
                }
            }
            guard missing.isEmpty else {
                let reason = "extension \(missing.joined(separator: ", ")) has no credentials in the credential source"
                devices[mac] = entry(.unavailable(reason))
                problems.append("\(mac): \(reason)")
                continue
            }
            let context = RenderContext(
                mac: mac, model: device.model, settings: settings, lines: lines,
                firmwareURL: Self.firmware(for: vendor, model: device.model, in: inputs.firmware).map {
                    settings.phoneBaseURL + $0.path
                } ?? "",
                additionalParameters: parameters,
                keys: inputs.keys[device.id!] ?? []
            )
            var files: [Vendor: ServedFile] = [:]
            for candidate in vendor.map({ [$0] }) ?? Vendor.allCases {
                var template = device.templateID.flatMap { inputs.templates[$0] }
                if template?.vendor != candidate { template = defaults[candidate] }
                let rendered = ConfigRenderer.render(vendor: candidate, context: context, template: template?.body)
                if !rendered.unknownPlaceholders.isEmpty, let template {
                    problems.append(
                        "template '\(template.name)' has unknown placeholders \(rendered.unknownPlaceholders.map { "{\($0)}" }.joined(separator: ", ")), left as they are"
                    )
                }
                problems += rendered.warnings.map { "\(mac): \($0)" }
                files[candidate] = ServedFile(body: rendered.body, contentType: rendered.contentType, vendor: vendor)
            }
            devices[mac] = entry(.ready(files, context: context))
        }

        var mappings: [String: ProvisioningSnapshot.MappedTemplate] = [:]
        for mapping in inputs.mappings {
            guard let template = inputs.templates[mapping.templateID] else { continue }
            let shared = ConfigRenderer.renderShared(vendor: template.vendor, settings: settings, template: template.body, parameters: parameters)
            mappings[mapping.path] = .init(
                name: template.name, vendor: template.vendor, body: template.body,
                shared: shared.map { ServedFile(body: $0.body, contentType: $0.contentType) }
            )
        }
        var snapshot = ProvisioningSnapshot(
            revision: inputs.revision, settings: settings, devices: devices, devicesByIP: byIP, mappings: mappings,
            additionalParameters: parameters
        )
        snapshot.tokens = tokens
        if only != nil { return (snapshot, Array(Set(problems)).sorted()) }
        // The phonebook: our extensions, then other instances' numbers we do not have, sorted.
        var byNumber: [String: PhonebookEntry] = [:]
        for entry in externalPhonebooks?.all ?? [] { byNumber[entry.number] = entry }
        do {
            for entry in try await credentials.phonebook() { byNumber[entry.number] = entry }
        } catch {
            problems.append("phonebook without local extensions: \(error)")
        }
        let entries = byNumber.values.sorted()
        snapshot.phonebookEntries = entries
        for vendor in Vendor.allCases {
            snapshot.phonebooks[PhonebookFormat.path(for: vendor)] = ServedFile(
                body: PhonebookFormat.render(vendor, entries: entries), contentType: "application/xml; charset=utf-8"
            )
        }
        // Grandstream is given a folder (P331) and picks the file name itself; the name is not confirmed.
        snapshot.phonebooks["/phonebook/phonebook.xml"] = snapshot.phonebooks[PhonebookFormat.path(for: .grandstream)]
        let repository = FirmwareRepository(store: store)
        for record in inputs.firmware {
            snapshot.firmware[record.path.lowercased()] = StoredFile(
                location: repository.fileURL(record).path, size: record.size, sha256: record.sha256, contentType: "application/octet-stream"
            )
        }
        return (snapshot, Array(Set(problems)).sorted())
    }

    /// The row for the phone's vendor and model, else the vendor-wide row (empty model).
    ///
    /// The model is the phone's own spelling (its User-Agent's, `X6U Pro`) or the admin's (`x6u-pro`):
    /// ``PhoneModel/matches(_:_:vendor:)`` treats both as one. A row spelled exactly as the phone says
    /// wins over one that only matches that way (rows stored before the rule may differ only so).
    static func firmware(for vendor: Vendor?, model: String?, in rows: [FirmwareRecord]) -> FirmwareRecord? {
        guard let vendor else { return nil }
        let candidates = rows.filter { $0.vendor == vendor }
        if let model, !PhoneModel.matchKey(model, vendor: vendor).isEmpty {
            let named = candidates.filter { !$0.model.isEmpty && PhoneModel.matches($0.model, model, vendor: vendor) }
            if let row = named.first(where: { $0.model.caseInsensitiveCompare(model) == .orderedSame }) ?? named.first { return row }
        }
        return candidates.first { $0.model.isEmpty }
    }
}
