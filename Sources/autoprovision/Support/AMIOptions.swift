import AMI
import ArgumentParser
import Foundation

/// Where the Asterisk manager interface is. The secret is read from a file or the
/// environment, never from the command line, where `ps` would show it.
struct AMIOptions: ParsableArguments {
    @Option(
        name: .customLong("ami"),
        help: ArgumentHelp(
            "Asterisk manager HOST[:PORT] (env AUTOPROVISION_AMI). Without it, local accounts are the credential source.", valueName: "host:port"))
    var address: String?

    @Option(name: .customLong("ami-user"), help: ArgumentHelp("AMI username (env AUTOPROVISION_AMI_USER; default autoprovision).", valueName: "user"))
    var user: String?

    @Option(
        name: .customLong("ami-secret-file"), help: ArgumentHelp("File holding the AMI secret (or env AUTOPROVISION_AMI_SECRET).", valueName: "file"))
    var secretFile: String?

    /// The configuration, or nil when no AMI address was given.
    func configuration() throws -> AMIConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        guard let address = address ?? environment["AUTOPROVISION_AMI"], !address.isEmpty else { return nil }
        let endpoint: (host: String, port: Int)
        do {
            endpoint = try AMIConfiguration.endpoint(address)
        } catch {
            throw CLIError(error.description)
        }
        let secret: String
        if let secretFile {
            guard let data = FileManager.default.contents(atPath: secretFile), let text = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read the AMI secret file \(secretFile)")
            }
            secret = text.trimmingCharacters(in: .newlines)
        } else if let value = environment["AUTOPROVISION_AMI_SECRET"] {
            secret = value
        } else {
            throw CLIError("AMI is configured but no secret was given: use --ami-secret-file or AUTOPROVISION_AMI_SECRET")
        }
        guard !secret.isEmpty else { throw CLIError("the AMI secret is empty") }
        let user = user ?? environment["AUTOPROVISION_AMI_USER"] ?? "autoprovision"
        return AMIConfiguration(host: endpoint.host, port: endpoint.port, username: user, secret: secret)
    }
}
