import ArgumentParser
import Foundation
import Provisioning

/// Reads a password from a file, an environment variable or standard input, never from the command line,
/// where every user of the machine could read it in the process list.
struct SecretInput: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the password from this file ('-' for standard input).", valueName: "file"))
    var passwordFile: String?

    @Option(name: .long, help: ArgumentHelp("Read the password from this environment variable.", valueName: "name"))
    var passwordEnv: String?

    @Flag(name: .long, help: "Generate a random 20-character password.")
    var generatePassword = false

    /// The password, or a validation error naming the source that failed.
    func read() throws -> String {
        let sources = [passwordFile != nil, passwordEnv != nil, generatePassword].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give the password with exactly one of --password-file, --password-env or --generate-password")
        }
        if generatePassword { return ProvisioningStore.randomSecret(length: 20) }
        if let name = passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw CLIError("environment variable \(name) is not set or empty")
            }
            return value
        }
        let path = passwordFile!
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read password file \(path)")
            }
            data = contents
        }
        // A password file usually ends with a line break that is not part of the password.
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("password file \(path) is not UTF-8") }
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingCharacters(in: ["\r"])
    }
}
