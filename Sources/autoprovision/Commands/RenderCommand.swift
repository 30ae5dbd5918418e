import ArgumentParser
import Logging
import Provisioning

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print exactly the file a phone would be served now.",
        discussion: "Passwords are masked unless --show-secrets is given."
    )
    @OptionGroup var store: StoreOptions
    @Argument(help: "The phone's MAC.") var mac: String
    @Option(help: "Render as this vendor when the phone's vendor is not known.") var vendor: Vendor?
    @Flag(name: .long, help: "Print the real passwords.") var showSecrets = false

    func run() async throws {
        let mac = try parseMAC(mac)
        let store = try store.open()
        guard let summary = try store.device(mac: mac) else { throw CLIError("no device with MAC \(mac)") }
        guard let vendor = vendor ?? summary.effectiveVendor else {
            throw CLIError("the vendor of \(mac) is not known: pass --vendor")
        }
        let builder = SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store), maskSecrets: !showSecrets)
        let (snapshot, _) = try await builder.build(logger: Logger(label: "autoprovision.render"))
        let name = ConfigRequest.fileName(vendor: vendor, mac: mac, model: summary.device.model)
        switch snapshot.answer(path: "/" + name[...], userAgent: vendor.rawValue, remoteIP: nil) {
        case .file(let file, _):
            print(String(decoding: file.body, as: UTF8.self), terminator: "")
        case .stored:
            throw CLIError("\(name) is a firmware file, not a configuration")
        case .notFound(let reason):
            throw CLIError("\(name) would be answered 404: \(reason)")
        case .forbidden(let reason):
            throw CLIError("\(name) would be answered 403: \(reason)")
        case .unavailable(let reason, _):
            throw CLIError("\(name) would be answered 503: \(reason)")
        }
    }
}
