import Logging
public import Provisioning

/// What the admin API works with: the store and catalog, and hooks into the parts it must not import (AMI, SIP).
public struct AdminEnvironment: Sendable {
    /// How a reboot request went.
    public enum RebootResult: Sendable {
        /// Sent; `via` is `ami` or `sip`, `detail` says to whom.
        case sent(via: String, detail: String)
        case failed(String)
    }

    public var store: ProvisioningStore
    /// The served snapshot: device status and what phones get.
    public var catalog: ProvisioningCatalog
    /// Where passwords come from (AMI or the local accounts), for previews.
    public var credentials: any CredentialSource
    /// Other instances' directories, for previews and the phonebook list.
    public var externalPhonebooks: PhonebookCache?
    /// Asks the phone to re-provision (check-sync).
    public var reboot: @Sendable (MACAddress) async -> RebootResult
    /// Whether an extension has a registered contact; nil when that cannot be known (AMI off).
    public var isRegistered: @Sendable (String) -> Bool?
    /// Whether AMI is configured, and connected.
    public var amiState: @Sendable () -> (enabled: Bool, connected: Bool)
    /// The product version, for `/api/status`.
    public var version: String

    public init(
        store: ProvisioningStore,
        catalog: ProvisioningCatalog,
        credentials: any CredentialSource,
        externalPhonebooks: PhonebookCache? = nil,
        reboot: @escaping @Sendable (MACAddress) async -> RebootResult,
        isRegistered: @escaping @Sendable (String) -> Bool? = { _ in nil },
        amiState: @escaping @Sendable () -> (enabled: Bool, connected: Bool) = { (false, false) },
        version: String
    ) {
        self.store = store
        self.catalog = catalog
        self.credentials = credentials
        self.externalPhonebooks = externalPhonebooks
        self.reboot = reboot
        self.isRegistered = isRegistered
        self.amiState = amiState
        self.version = version
    }

    /// A snapshot of one phone with every password masked, for previews shown to a person.
    func maskedSnapshot(for mac: MACAddress) async throws -> ProvisioningSnapshot {
        let builder = SnapshotBuilder(
            store: store, credentials: credentials, maskSecrets: true, externalPhonebooks: externalPhonebooks,
            advertisedHTTPPort: catalog.snapshot.settings.httpPort
        )
        var logger = Logger(label: "autoprovision.admin.preview")
        logger.logLevel = .critical
        do {
            return try await builder.build(logger: logger, only: mac).0
        } catch {
            throw AdminError(error)
        }
    }

    /// The settings as phones see them (the HTTP port they really reach), guest secret masked.
    func servedSettings() throws -> PnPSettings {
        var settings: PnPSettings
        do {
            settings = try store.settings()
        } catch {
            throw AdminError(error)
        }
        settings.httpPort = catalog.snapshot.settings.httpPort
        settings.guestSecret = "********"
        return settings
    }
}
