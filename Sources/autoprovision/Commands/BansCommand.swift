import ArgumentParser
import Foundation
import Provisioning

/// `bans`: the addresses refused for guessing phones' files, and lifting a ban.
struct BansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bans",
        abstract: "List or clear the addresses banned for guessing phones' files.",
        discussion: """
            An address is banned for ban-time seconds after ban-threshold failed lookups (a MAC-named file \
            that does not exist, a refusal by the fetch guard, a wrong token) within ban-window seconds. \
            A running daemon follows a clear within a second.
            """,
        subcommands: [List.self, Clear.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the running bans.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let bans = try store.open().bans()
            guard !bans.isEmpty else {
                print("no address is banned")
                return
            }
            let format = ISO8601DateFormatter()
            TextTable.print(
                header: ["ADDRESS", "UNTIL", "FAILURES", "SINCE"],
                rows: bans.map { [$0.address, format.string(from: $0.until), String($0.failures), format.string(from: $0.createdAt)] }
            )
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift the ban of one address.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The banned address, as 'bans list' prints it.") var address: String

        func run() async throws {
            try store.open().clearBan(address, actor: "cli")
            print("ban of \(address) cleared")
        }
    }
}
