import AMI
import ArgumentParser
import Foundation
import Provisioning

struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Manage phones and their line bindings.",
        subcommands: [Add.self, Change.self, List.self, Remove.self, Bind.self, Unbind.self, Keys.self, PrivateURL.self, RebootPhone.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a phone, optionally bound to an extension.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC, any case, any separators.") var mac: String
        @Option(help: "yealink, snom, fanvil, grandstream or htek (default: from the MAC prefix).") var vendor: Vendor?
        @Option(help: "The model as the vendor writes it, e.g. T46S, D785 or \"X6U Pro\".") var model: String?
        @Option(name: .customLong("extension"), help: "Bind this extension right away.") var extensionNumber: String?
        @Option(help: "The line to bind (1 to 16).") var line: Int = 1
        @Option(help: "The template to use (default: the vendor default).") var template: String?
        @Flag(help: "Bind the extension even if the credential source does not know it.") var force = false

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            let warning = force ? nil : try extensionNumber.flatMap { try KnownExtensions.check($0, store: store) }
            try store.addDevice(
                mac: mac, vendor: vendor, model: model, templateName: template, extensionNumber: extensionNumber, line: line, actor: "cli"
            )
            print("device \(mac) added" + (extensionNumber.map { ", line \(line) bound to \($0)" } ?? ""))
            if let warning { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the phones.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let devices = try store.open().devices()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let data = try encoder.encode(devices.map(DeviceJSON.init))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let rows = devices.map { summary in
                [
                    (try? summary.device.address.description) ?? summary.device.mac,
                    summary.effectiveVendor?.rawValue ?? "?",
                    summary.device.model ?? "",
                    summary.lines.isEmpty ? "(guest)" : summary.lines.map { "\($0.line):\($0.extensionNumber)" }.joined(separator: " "),
                    summary.templateName ?? "",
                    summary.device.lastIP ?? "",
                    summary.device.lastConfigFetch.map { ISO8601DateFormatter().string(from: $0) } ?? "never",
                    summary.device.certificateSubject ?? "",
                ]
            }
            TextTable.print(header: ["MAC", "VENDOR", "MODEL", "LINES", "TEMPLATE", "LAST IP", "LAST FETCH", "DEVICE CERTIFICATE"], rows: rows)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a phone and its bindings.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String

        func run() async throws {
            let mac = try parseMAC(mac)
            try store.open().removeDevice(mac: mac, actor: "cli")
            print("device \(mac) removed")
        }
    }

    struct Bind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bind a line of a phone to an extension.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Argument(help: "The extension.") var extensionNumber: String
        @Option(help: "The line (1 to 16).") var line: Int = 1
        @Flag(help: "Make the phone re-provision right away (check-sync NOTIFY).") var reboot = false
        @Flag(help: "Bind the extension even if the credential source does not know it.") var force = false
        @OptionGroup var ami: AMIOptions

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            let warning = force ? nil : try KnownExtensions.check(extensionNumber, store: store)
            try store.bind(mac: mac, extensionNumber: extensionNumber, line: line, actor: "cli")
            print("device \(mac) line \(line) bound to \(extensionNumber)")
            if let warning { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
            if reboot {
                // Give a running daemon time to render the new file before the phone asks for it.
                try await Task.sleep(for: .seconds(1))
                try RebootPhone.report(try await Reboot.phone(mac, store: store, ami: try ami.configuration()))
            }
        }
    }

    struct Unbind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a line's binding; an unbound phone gets the guest account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Option(help: "The line (1 to 16).") var line: Int = 1

        func run() async throws {
            let mac = try parseMAC(mac)
            try store.open().unbind(mac: mac, line: line, actor: "cli")
            print("device \(mac) line \(line) unbound")
        }
    }
}

struct RebootPhone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reboot",
        abstract: "Make a phone re-fetch its configuration (SIP NOTIFY check-sync;reboot=true)."
    )
    @OptionGroup var store: StoreOptions
    @Argument(help: "The phone's MAC.") var mac: String
    @OptionGroup var ami: AMIOptions

    func run() async throws {
        let mac = try parseMAC(mac)
        try Self.report(try await Reboot.phone(mac, store: try store.open(), ami: try ami.configuration()))
    }

    static func report(_ outcome: NotifyOutcome) throws {
        if case .failed = outcome { throw CLIError(outcome.description) }
        print(outcome.description)
    }
}

/// The JSON shape of `device list --json`.
struct DeviceJSON: Encodable {
    struct Line: Encodable {
        var line: Int
        var `extension`: String
    }

    var mac: String
    var vendor: String?
    var model: String?
    var firmwareVersion: String?
    var template: String?
    var lines: [Line]
    var lastIP: String?
    var lastPort: Int?
    var firstSeen: Date?
    var lastSeen: Date?
    var lastConfigFetch: Date?
    var deviceCertificate: String?

    init(_ summary: DeviceSummary) {
        mac = (try? summary.device.address.colonSeparated) ?? summary.device.mac
        vendor = summary.effectiveVendor?.rawValue
        model = summary.device.model
        firmwareVersion = summary.device.firmwareVersion
        template = summary.templateName
        lines = summary.lines.map { Line(line: $0.line, extension: $0.extensionNumber) }
        lastIP = summary.device.lastIP
        lastPort = summary.device.lastPort
        firstSeen = summary.device.firstSeen
        lastSeen = summary.device.lastSeen
        lastConfigFetch = summary.device.lastConfigFetch
        deviceCertificate = summary.device.certificateSubject
    }
}
