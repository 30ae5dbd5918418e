import ArgumentParser
import Foundation
import Provisioning

struct FirmwareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware",
        abstract: "Manage the firmware repository (80 MB per file, 300 MB in all).",
        subcommands: [Add.self, Replace.self, Change.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a firmware file for a vendor, or for one model of it.",
            discussion: "Extensions: Yealink .rom .bin, Snom .bin .fw, Fanvil .z .bin, Grandstream .bin, Htek .rom .bin."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The firmware file.") var file: String
        @Option(help: "yealink, snom, fanvil, grandstream or htek.") var vendor: Vendor
        @Option(help: "The model it is for, as the vendor writes it, e.g. T46S or \"X6U Pro\" (default: every model of the vendor).") var model:
            String = ""
        @Option(help: "The firmware version, for the list.") var version: String = ""
        @Option(help: "A comment.") var notes: String = ""

        func run() async throws {
            let repository = FirmwareRepository(store: try store.open())
            let terminal = isatty(STDOUT_FILENO) == 1
            let record = try repository.add(URL(fileURLWithPath: file), vendor: vendor, model: model, version: version, notes: notes) {
                progressBar(copied: $0, total: $1, terminal: terminal)
            }
            if terminal { print() }
            print("firmware \(record.id ?? 0) added: \(record.path) (\(record.size) bytes, sha256 \(record.sha256))")
        }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the file of a firmware row; phones get the new file at the row's new URL.",
            discussion: "The new file is copied in and checked first; the old one stays served until the switch."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The firmware's id.") var id: Int64
        @Argument(help: "The new firmware file.") var file: String

        func run() async throws {
            let repository = FirmwareRepository(store: try store.open())
            let terminal = isatty(STDOUT_FILENO) == 1
            let record = try repository.replaceFile(id: id, with: URL(fileURLWithPath: file)) {
                progressBar(copied: $0, total: $1, terminal: terminal)
            }
            if terminal { print() }
            print("firmware \(id) replaced: \(record.path) (\(record.size) bytes, sha256 \(record.sha256))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the firmware files.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows = try FirmwareRepository(store: try store.open()).list().map {
                ["\($0.id ?? 0)", $0.vendor.rawValue, $0.model.isEmpty ? "(all)" : $0.model, $0.version, "\($0.size)", $0.path, $0.notes]
            }
            TextTable.print(header: ["ID", "VENDOR", "MODEL", "VERSION", "BYTES", "PATH", "NOTES"], rows: rows)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a firmware file.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The firmware's id.") var id: Int64

        func run() async throws {
            try FirmwareRepository(store: try store.open()).remove(id: id)
            print("firmware \(id) removed")
        }
    }
}

/// A one-line progress bar, redrawn in place; nothing when output is not a terminal.
private func progressBar(copied: Int64, total: Int64, terminal: Bool) {
    guard terminal, total > 0 else { return }
    let width = 30
    let filled = Int(Double(copied) / Double(total) * Double(width))
    print("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(copied * 100 / total)%", terminator: "")
    FileHandle.standardOutput.synchronizeFile()
}
