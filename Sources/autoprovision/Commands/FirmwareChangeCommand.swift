import ArgumentParser
import Provisioning

extension FirmwareCommand {
    /// `firmware set`: corrects what a row says about its file without uploading it again.
    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change the version, notes or model of a firmware row; the file stays.",
            discussion: """
                A phone's file names the row for its model, else the vendor-wide row. Models match ignoring case, \
                spaces, '-' and '_', so "X6U Pro" is the row of a phone that reports X6U-Pro or x6upro.
                """
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The firmware's id.") var id: Int64
        @Option(help: "The firmware version, for the list.") var version: String?
        @Option(help: "A comment.") var notes: String?
        @Option(help: "The model it is for, as the vendor writes it (\"X6U Pro\"); \"\" makes it the vendor-wide row.") var model: String?

        func validate() throws {
            if version == nil, notes == nil, model == nil { throw ValidationError("give at least one of --version, --notes or --model") }
        }

        func run() async throws {
            let repository = FirmwareRepository(store: try store.open())
            guard let before = try repository.record(id: id) else { throw StoreError.notFound("no firmware with id \(id)") }
            let after = try repository.update(id: id, version: version, notes: notes, model: model)
            let shown = { (text: String, empty: String) in text.isEmpty ? empty : text }
            let changes = [
                ("model", shown(before.model, "(all)"), shown(after.model, "(all)")),
                ("version", shown(before.version, "(none)"), shown(after.version, "(none)")),
                ("notes", shown(before.notes, "(none)"), shown(after.notes, "(none)")),
            ].filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1) -> \($0.2)" }
            print(changes.isEmpty ? "firmware \(id) unchanged" : "firmware \(id): " + changes.joined(separator: ", "))
        }
    }
}
