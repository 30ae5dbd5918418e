import ArgumentParser
import Provisioning

struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage the local SIP accounts (used when credentials do not come from Asterisk).",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace an account.",
            discussion: "The password is never taken on the command line: pass --password-file, --password-env or --generate-password."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The extension number.") var extensionNumber: String
        @OptionGroup var secret: SecretInput
        @Option(name: .long, help: "The SIP authentication username (default: the extension).") var username: String?
        @Option(name: .long, help: "The caller ID name (default: the extension).") var name: String?

        func run() async throws {
            let password = try secret.read()
            let account = AccountRecord(
                extensionNumber: extensionNumber, authUsername: username ?? extensionNumber, password: password,
                displayName: name ?? extensionNumber
            )
            try store.open().saveAccount(account)
            print("account \(extensionNumber) saved")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var store: StoreOptions
        @Flag(name: .long, help: "Print passwords instead of masking them.") var showSecrets = false

        func run() async throws {
            let accounts = try store.open().accounts()
            let rows = accounts.map { [$0.extensionNumber, $0.authUsername, $0.displayName, showSecrets ? $0.password : "********"] }
            TextTable.print(header: ["EXTENSION", "USERNAME", "NAME", "PASSWORD"], rows: rows)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The extension number.") var extensionNumber: String

        func run() async throws {
            try store.open().removeAccount(extensionNumber)
            print("account \(extensionNumber) removed")
        }
    }
}
