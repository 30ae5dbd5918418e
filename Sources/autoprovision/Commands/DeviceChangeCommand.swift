import ArgumentParser
import Provisioning

extension DeviceCommand {
    /// `device set`: what the admin page's device editor changes, from the command line.
    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change the template, vendor or model of a known phone (added or found by plug-and-play).",
            discussion: """
                The admin page makes the same change the same way: a template must be for the phone's vendor \
                (the new one when --vendor is given too), and a vendor its template does not fit is refused \
                until the template changes. All of it is written, or nothing.
                """
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Option(help: "Use this template (one of the phone's vendor).") var template: String?
        @Flag(help: "Drop the phone's template: the vendor default, else the built-in file, applies.") var noTemplate = false
        @Option(help: "yealink, snom, fanvil, grandstream or htek.") var vendor: Vendor?
        @Option(help: "The model as the vendor writes it, e.g. T46S or \"X6U Pro\"; \"\" clears it.") var model: String?

        func validate() throws {
            if template != nil, noTemplate { throw ValidationError("give --template or --no-template, not both") }
            if template?.isEmpty == true { throw ValidationError("--template needs a name; --no-template drops the template") }
            if template == nil, !noTemplate, vendor == nil, model == nil {
                throw ValidationError("give at least one of --template, --no-template, --vendor or --model")
            }
        }

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            guard let before = try store.device(mac: mac) else { throw StoreError.notFound("no device with MAC \(mac)") }
            let templateChange: String?? = noTemplate ? .some(nil) : template.map { Optional($0) }
            try store.updateDevice(mac: mac, vendor: vendor, model: model, template: templateChange)
            guard let after = try store.device(mac: mac) else { throw StoreError.notFound("no device with MAC \(mac)") }
            let changes = [
                // The vendor as `device list` shows it: recorded, else the MAC prefix's.
                ("vendor", before.effectiveVendor?.rawValue, after.effectiveVendor?.rawValue),
                ("model", before.device.model, after.device.model),
                ("template", before.templateName, after.templateName),
            ].filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1 ?? "(none)") -> \($0.2 ?? "(none)")" }
            print(changes.isEmpty ? "device \(mac) unchanged" : "device \(mac): " + changes.joined(separator: ", "))
        }
    }
}
