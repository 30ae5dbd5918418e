import ArgumentParser
import Provisioning

struct URICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uri",
        abstract: "Map fixed URL paths to templates (URI Settings).",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer PATH with TEMPLATE.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The URL path, e.g. y000000000028.cfg.") var path: String
        @Argument(help: "The template's name.") var template: String

        func run() async throws {
            try store.open().mapURI(path, toTemplate: template)
            print("/\(try URIMappingPath.normalise(path)) now answers with template \(template)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the URI mappings.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            TextTable.print(header: ["PATH", "TEMPLATE"], rows: try store.open().uriMappings().map { ["/" + $0.path, $0.template] })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a URI mapping.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The URL path.") var path: String

        func run() async throws {
            try store.open().unmapURI(path)
            print("/\(try URIMappingPath.normalise(path)) unmapped")
        }
    }
}
