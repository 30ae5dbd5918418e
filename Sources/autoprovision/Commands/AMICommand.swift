import AMI
import ArgumentParser
import Foundation
import Logging
import Provisioning

struct AMICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ami",
        abstract: "Check the connection to Asterisk's manager interface.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log in, list the endpoints that can and cannot be provisioned, and exit.",
            discussion: "Passwords are masked unless --show-secrets is given."
        )
        @OptionGroup var store: StoreOptions
        @OptionGroup var ami: AMIOptions
        @Flag(name: .long, help: "Print the SIP passwords.") var showSecrets = false

        func run() async throws {
            guard let configuration = try ami.configuration() else {
                throw CLIError("no AMI address: give --ami HOST[:PORT] or set AUTOPROVISION_AMI")
            }
            var logger = Logger(label: "autoprovision.ami")
            logger.logLevel = .error
            let started = ContinuousClock.now
            let (version, directory) = try await AMIConnector.withSession(configuration, logger: logger) { session in
                (await session.version ?? "?", try await AMIDirectorySync.fullSync(session, timeout: configuration.requestTimeout))
            }
            print(
                "connected to \(configuration.host):\(configuration.port) as \(configuration.username) (AMI \(version)); synced in \(ContinuousClock.now - started)"
            )
            let rows = directory.endpoints.values.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }.map { endpoint in
                [
                    endpoint.name,
                    endpoint.credentials?.authUsername ?? "",
                    endpoint.credentials.map { showSecrets ? $0.password : "********" } ?? "",
                    endpoint.credentials?.displayName ?? "",
                    endpoint.contacts.isEmpty ? "-" : endpoint.contacts.joined(separator: " "),
                    endpoint.credentials != nil ? "provisionable" : "NOT provisionable: \(endpoint.problem ?? "")",
                ]
            }
            TextTable.print(header: ["ENDPOINT", "USERNAME", "PASSWORD", "NAME", "CONTACTS", "STATUS"], rows: rows)
            print("\(directory.provisionable.count) provisionable, \(directory.refused.count) not")
            if let store = try? store.openIfExists() {
                if let last = try? store.runtimeStatus("ami.last-sync") {
                    print(
                        "daemon's last successful sync: \(ISO8601DateFormatter().string(from: last.updatedAt)) (\(Int(-last.updatedAt.timeIntervalSinceNow)) s ago, \(last.value))"
                    )
                }
                if let failure = try? store.runtimeStatus("ami.last-error"),
                    failure.updatedAt > (try? store.runtimeStatus("ami.last-sync"))?.updatedAt ?? .distantPast
                {
                    print("daemon's last failure: \(failure.value) (\(Int(-failure.updatedAt.timeIntervalSinceNow)) s ago)")
                }
            }
        }
    }
}
