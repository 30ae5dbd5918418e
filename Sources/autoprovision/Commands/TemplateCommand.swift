import ArgumentParser
import Foundation
import Provisioning

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Manage configuration templates.",
        discussion: "Placeholders: " + Placeholder.allCases.map { "{\($0.rawValue)} \($0.meaning)" }.joined(separator: "; "),
        subcommands: [List.self, Show.self, Set.self, Remove.self, LoadExamples.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the templates.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows = try store.open().templates().map {
                [$0.name, $0.vendor.rawValue, $0.isVendorDefault ? "yes" : "", "\($0.body.utf8.count)"]
            }
            TextTable.print(header: ["NAME", "VENDOR", "DEFAULT", "BYTES"], rows: rows)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a template's body.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The template's name.") var name: String

        func run() async throws {
            guard let template = try store.open().template(named: name) else {
                throw CLIError("no template named '\(name)'")
            }
            print(template.body, terminator: template.body.hasSuffix("\n") ? "" : "\n")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a template from a file.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The template's name.") var name: String
        @Option(help: "The vendor whose format the file is in.") var vendor: Vendor
        @Option(help: "The file holding the template ('-' for standard input).") var file: String
        @Flag(name: .customLong("default"), help: "Use it for every phone of the vendor that names no template.") var isDefault = false

        func run() async throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data, let body = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read \(file) as UTF-8 text")
            }
            let unknown = try store.open().saveTemplate(name: name, vendor: vendor, body: body, isVendorDefault: isDefault)
            print("template \(name) saved")
            if !unknown.isEmpty {
                print("note: unknown placeholders left as they are: " + unknown.map { "{\($0)}" }.joined(separator: ", "))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a template.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The template's name.") var name: String

        func run() async throws {
            try store.open().removeTemplate(named: name)
            print("template \(name) removed")
        }
    }

    struct LoadExamples: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "load-examples", abstract: "Add one example template per vendor.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let added = try store.open().loadExampleTemplates()
            print(added.isEmpty ? "the example templates exist already" : "added \(added.joined(separator: ", "))")
        }
    }
}
