import AGI
import AMI
import Admin
import ArgumentParser
import Certificates
import DaemonSupport
import Discovery
import Foundation
import HTTPTFTP
import Logging
import Metrics
import NIOCore
import Neighbours
import Provisioning
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the provisioning daemon until SIGINT or SIGTERM."
    )
    @OptionGroup var store: StoreOptions
    @OptionGroup var ami: AMIOptions
    @Option(help: "The address the provisioning HTTP server binds.") var bind = "0.0.0.0"
    @Option(help: ArgumentHelp("Where the FastAGI server for star-code binding listens ('off' to disable).", valueName: "host:port"))
    var agi = "127.0.0.1:4573"
    @Option(
        name: .customLong("pnp-interface"),
        help: ArgumentHelp(
            "Answer PnP multicast on this interface only (repeatable; default: every multicast-capable IPv4 interface).", valueName: "name"))
    var pnpInterfaces: [String] = []
    @Flag(name: .customLong("no-pnp"), help: "Do not answer SIP multicast plug-and-play.") var noPnP = false
    @Option(help: ArgumentHelp("Where the TFTP server listens when the tftp setting is on.", valueName: "host:port"))
    var tftp = "0.0.0.0:69"
    @Option(help: "Override the http-port setting for this run (0 picks a free port).") var httpPort: Int?
    @Option(
        help: ArgumentHelp(
            "Where the admin page and REST API listen ('off' to disable); the token is in admin.token beside the database.", valueName: "host:port"))
    var admin = "127.0.0.1:8481"
    @Option(
        help: ArgumentHelp(
            "Where the provisioning HTTPS server listens ('off' to disable; default: the bind address and the https-port setting, "
                + "whenever a certificate is installed).", valueName: "host:port"))
    var https: String?
    @OptionGroup var log: LogOptions

    func run() async throws {
        log.bootstrap()
        let logger = Logger(label: "autoprovision")
        // Before any part is made: each makes its counters from the bootstrapped factory when it is built.
        let metrics = MetricsExporter(descriptions: Self.metricDescriptions)
        MetricsSystem.bootstrap(metrics.factory)
        let amiConfiguration = try ami.configuration()
        let store = try store.open()
        let settings = try store.settings()
        let catalog = ProvisioningCatalog()
        var services: [any Service] = []
        let credentials: any CredentialSource
        var amiClient: AMIClient?
        if let amiConfiguration {
            let source = AMICredentialSource()
            credentials = source
            amiClient =
                AMIClient(
                    configuration: amiConfiguration, credentials: source, logger: logger,
                    onSync: { directory in
                        catalog.invalidate()
                        try? store.setRuntimeStatus("ami.last-sync", "\(directory.provisionable.count) provisionable, \(directory.refused.count) not")
                        // For the CLI, which has no AMI connection of its own, to refuse extensions Asterisk does not have.
                        try? store.setRuntimeStatus(KnownExtensions.statusKey, directory.provisionable.map(\.name).sorted().joined(separator: ","))
                    },
                    onFailure: { reason in try? store.setRuntimeStatus("ami.last-error", reason) }
                )
            services.append(amiClient!)
            logger.info("credentials come from Asterisk at \(amiConfiguration.host):\(amiConfiguration.port) as \(amiConfiguration.username)")
        } else {
            credentials = LocalAccountCredentialSource(store: store)
            logger.info("credentials come from the local accounts table (no --ami given)")
        }
        let phonebooks = PhonebookCache()
        // Files name the port the server really listens on, also after http-port changes while serve runs.
        let boundPort = httpPort ?? settings.httpPort
        let advertised = boundPort == 0 ? nil : boundPort
        let httpsPort = ListeningPort()
        let tls = try Self.tls(https, bind: bind, store: store, settings: settings, catalog: catalog, logger: logger)
        if let tls, tls.address.port != 0 { httpsPort.value = tls.address.port }
        let builder = SnapshotBuilder(
            store: store, credentials: credentials, externalPhonebooks: phonebooks, advertisedHTTPPort: advertised, httpsPort: httpsPort)
        let readiness = ListenerReadiness(waitingFor: listeners(https: tls != nil, tftp: settings.tftpEnabled))
        services.append(PhonebookSourceFetcher(store: store, cache: phonebooks, catalog: catalog, logger: logger))
        if agi.lowercased() != "off" {
            let address = try Self.hostPort(agi, option: "--agi")
            let client = amiClient
            let bindScript = StarCodeBindScript(
                store: store, credentials: credentials, logger: logger, settings: { catalog.snapshot.settings },
                reboot: { mac in
                    let outcome = await Reboot.phone(mac, store: store, client: client, logger: logger)
                    logger.notice("\(mac): \(outcome)")
                }
            )
            services.append(
                FastAGIServer(
                    host: address.host, port: address.port, scripts: ["bind": bindScript], logger: logger, onBound: { _ in readiness.settled("agi") })
            )
        }
        let client = amiClient
        services.append(
            AsteriskConfigSync(
                store: store, agiAddress: agi.lowercased() == "off" ? "127.0.0.1:4573" : agi, session: { client?.session }, logger: logger
            ))
        let refresher = CatalogRefresher(catalog: catalog, builder: builder, store: store, logger: logger)
        // The first snapshot is ready before the port opens, so no phone ever sees an empty catalog.
        for problem in try await refresher.refresh() { logger.warning("\(problem)") }
        let recorder = FetchRecorder(store: store, logger: logger)
        let policy = Self.fetchPolicy(store: store, settings: settings, logger: logger, services: &services)
        // Started last and stopped first, so the recorder writes the fetches of their last requests.
        var servers: [any Service] = [
            ProvisioningHTTPServer(
                host: bind, port: boundPort, catalog: catalog, recorder: recorder, policy: policy, logger: logger,
                onBound: { _ in readiness.settled("http") })
        ]
        if let tls {
            services.append(tls.service)
            servers.append(
                ProvisioningHTTPServer(
                    host: tls.address.host, port: tls.address.port, catalog: catalog, recorder: recorder, policy: policy, logger: logger,
                    tls: tls.service,
                    onBound: { address in
                        readiness.settled("https")
                        // Port 0 picked a free port: files name the one that answers.
                        guard httpsPort.value != address.port else { return }
                        httpsPort.value = address.port
                        catalog.invalidate()
                    }
                ))
        }
        if !noPnP {
            services.append(
                PnPService(
                    store: store, catalog: catalog, interfaces: pnpInterfaces.isEmpty ? nil : pnpInterfaces, neighbours: policy.neighbours,
                    logger: logger, onReady: { _ in readiness.settled("pnp") }
                ))
        }
        if settings.tftpEnabled {
            let address = try Self.hostPort(tftp, option: "--tftp")
            services.append(
                TFTPServer(
                    host: address.host, port: address.port, catalog: catalog, recorder: recorder, policy: policy, logger: logger,
                    onBound: { _ in readiness.settled("tftp") }, onUnavailable: { readiness.settled("tftp") }))
        } else {
            logger.info("TFTP is off (settings set tftp on, then restart, to serve phones that use DHCP option 66)")
        }
        if admin.lowercased() != "off" {
            let address = try Self.hostPort(admin, option: "--admin")
            let tokenPath = AdminToken.path(forDatabase: store.path)
            let token = try AdminToken.loadOrCreate(path: tokenPath)
            let client = amiClient
            let amiSource = credentials as? AMICredentialSource
            let environment = AdminEnvironment(
                store: store, catalog: catalog, credentials: credentials, externalPhonebooks: phonebooks,
                reboot: { mac in
                    switch await Reboot.phone(mac, store: store, client: client, logger: logger) {
                    case .sentThroughAsterisk(let target): .sent(via: "ami", detail: target)
                    case .sentDirectly(let address): .sent(via: "sip", detail: address)
                    case .failed(let reason): .failed(reason)
                    }
                },
                isRegistered: { ext in
                    guard let directory = amiSource?.directory else { return nil }
                    return directory.endpoints[ext].map { !$0.contacts.isEmpty } ?? false
                },
                amiState: { (client != nil, client?.session != nil) },
                version: ProductVersion.number
            )
            services.append(
                AdminServer(
                    host: address.host, port: address.port, environment: environment, token: token, assets: try WebAssets.load(), metrics: metrics,
                    logger: logger, onListening: { _ in readiness.settled("admin") })
            )
            logger.info("admin token in \(tokenPath) (autoprovision admin token prints it)")
        }
        logger.info(
            "autoprovision starting", metadata: ["version": "\(ProductVersion.full)", "db": "\(store.path)", "pbx-host": "\(settings.pbxHost)"])
        // Last in the group, so it is the first told to stop and systemd hears STOPPING=1 before the listeners close.
        let notify = SystemdNotifyService(environment: ProcessInfo.processInfo.environment, readiness: readiness, logger: logger) {
            Self.status(phones: catalog.snapshot.deviceCount, ami: client.map { $0.session != nil })
        }
        let group = ServiceGroup(
            services: services + [refresher, recorder] + servers + [notify],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
        logger.info("autoprovision stopped")
    }
}

extension ServeCommand {
    /// Every module's series with its help text, for the `# HELP` lines of `/metrics`.
    static var metricDescriptions: [String: String] {
        [ServingMetrics.descriptions, BindMetrics.descriptions, AMIMetrics.descriptions, PnPMetrics.descriptions].reduce(into: [:]) { all, next in
            all.merge(next) { first, _ in first }
        }
    }

    /// The listeners this run opens; `READY=1` waits until each is bound or has given up.
    func listeners(https: Bool, tftp: Bool) -> [String] {
        var names = ["http"]
        if https { names.append("https") }
        if agi.lowercased() != "off" { names.append("agi") }
        if tftp { names.append("tftp") }
        if !noPnP { names.append("pnp") }
        if admin.lowercased() != "off" { names.append("admin") }
        return names
    }

    /// The status line `systemctl status` shows.
    /// - Parameters:
    ///   - phones: The devices in the catalog.
    ///   - ami: Whether the AMI session is up; nil without `--ami`.
    static func status(phones: Int, ami: Bool?) -> String {
        let served = "serving \(phones) phone\(phones == 1 ? "" : "s")"
        switch ami {
        case nil: return "\(served); credentials from local accounts"
        case true?: return "\(served); AMI connected"
        case false?: return "\(served); AMI not connected"
        }
    }

    /// The bans and the neighbour table the phones' transports consult, with the services that keep them current.
    static func fetchPolicy(store: ProvisioningStore, settings: PnPSettings, logger: Logger, services: inout [any Service]) -> FetchPolicy {
        let bans = BanSync(bans: BanList(), store: store, logger: logger)
        services.append(bans)
        let cache = NeighbourCache()
        do {
            services.append(try NeighbourMonitor(cache: cache, logger: logger))
        } catch {
            // Without the table, `lan` can only serve this host, trusted networks and private URLs.
            logger.error("cannot read the kernel's neighbour table (\(error)); fetch-guard lan serves phones only through their private URLs")
        }
        logger.info("fetch-guard is \(settings.fetchGuard.rawValue) (settings set fetch-guard off|lan|strict)")
        return FetchPolicy(bans: bans, neighbours: cache)
    }

    /// The HTTPS side, when it is on: `--https`, else the bind address and `https-port` whenever a certificate is installed.
    static func tls(
        _ option: String?, bind: String, store: ProvisioningStore, settings: PnPSettings, catalog: ProvisioningCatalog, logger: Logger
    ) throws -> (service: ProvisioningTLS, address: (host: String, port: Int))? {
        if option?.lowercased() == "off" {
            logger.info("HTTPS is off (--https off)")
            return nil
        }
        let address = try option.map { try hostPort($0, option: "--https") } ?? (bind, settings.httpsPort)
        let files = TLSFiles(databasePath: store.path)
        let service = ProvisioningTLS(files: files, catalog: catalog, logger: logger)
        do {
            guard try service.load(deviceCA: settings.deviceCA) else {
                logger.info("HTTPS is off: no certificate in \(files.directory) (autoprovision tls generate, or tls import, then restart)")
                return nil
            }
        } catch {
            // Phones keep being served over HTTP rather than not at all.
            logger.error("HTTPS is off: the certificate in \(files.directory) is unusable: \(error) (fix it with tls generate or tls import)")
            return nil
        }
        logger.info("HTTPS certificate: \(service.summary ?? "?")")
        return (service, address)
    }

    static func hostPort(_ text: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw CLIError("\(option) '\(text)' must be HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
