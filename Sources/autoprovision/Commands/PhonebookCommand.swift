import ArgumentParser
import Foundation
import Logging
import Provisioning

struct PhonebookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phonebook",
        abstract: "The company phonebook: local extensions merged with other instances' directories.",
        discussion: "Phones are pointed at it when the phonebook setting is on (settings set phonebook on).",
        subcommands: [Source.self, Show.self]
    )

    struct Source: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage external phonebook sources (another instance's http://HOST:8480/phonebook/yealink.xml).",
            subcommands: [Add.self, List.self, Remove.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a source.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The source's URL.") var url: String
            @Option(help: "A name for the list.") var name: String = ""

            func run() async throws {
                let record = try store.open().addPhonebookSource(url: url, name: name)
                print("phonebook source \(record.id ?? 0) added: \(record.url)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the sources.")
            @OptionGroup var store: StoreOptions

            func run() async throws {
                TextTable.print(header: ["ID", "URL", "NAME"], rows: try store.open().phonebookSources().map { ["\($0.id ?? 0)", $0.url, $0.name] })
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a source.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The source's id.") var id: Int64

            func run() async throws {
                try store.open().removePhonebookSource(id: id)
                print("phonebook source \(id) removed")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the phonebook as a vendor's phones get it (local accounts; sources are merged by the daemon).")
        @OptionGroup var store: StoreOptions
        @Option(help: "yealink, snom, fanvil, grandstream or htek.") var vendor: Vendor

        func run() async throws {
            let store = try store.open()
            let (snapshot, _) = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store))
                .build(logger: Logger(label: "autoprovision.phonebook"))
            guard case .file(let file, _) = snapshot.answer(path: PhonebookFormat.path(for: vendor)[...], userAgent: nil, remoteIP: nil) else {
                throw CLIError("no phonebook for \(vendor.displayName)")
            }
            print(String(decoding: file.body, as: UTF8.self), terminator: "")
        }
    }
}
