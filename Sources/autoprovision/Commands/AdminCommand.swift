import Admin
import ArgumentParser

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "The admin page and REST API (served by 'serve' on 127.0.0.1:8481).",
        subcommands: [Token.self]
    )

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the admin API's bearer token (made now if the daemon has not made it yet).",
            discussion:
                "The token is kept with mode 0600 in admin.token beside the database. Open the admin page, e.g. http://127.0.0.1:8481/, and paste it."
        )
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let path = AdminToken.path(forDatabase: store.path)
            do {
                print(try AdminToken.loadOrCreate(path: path))
            } catch {
                throw CLIError(error.description)
            }
        }
    }
}
