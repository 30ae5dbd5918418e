/// A command failed because of what the user gave it; printed as one `Error: ...` line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
