import ArgumentParser
import Foundation
import Provisioning
#if canImport(Glibc)
import Glibc
#endif

struct AsteriskConfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asterisk-conf",
        abstract: "Write the Asterisk dialplan and guest endpoint, filled in from the store.",
        discussion: "Writes extensions.conf and pjsip.conf (with the guest secret: mode 0600) into --output. Without --output, prints them with the secret masked."
    )
    @OptionGroup var store: StoreOptions
    @Option(help: "The directory to write into (created if needed).") var output: String?
    @Option(help: ArgumentHelp("The FastAGI address the dialplan calls (as given to serve --agi).", valueName: "host:port")) var agi = "127.0.0.1:4573"

    func run() async throws {
        _ = try ServeCommand.hostPort(agi, option: "--agi")
        let opened = try store.open()
        var settings = try opened.settings()
        let monitored = try opened.devices().flatMap(\.keys).filter { $0.kind == .blf }.map(\.value)
        guard let output else {
            settings.guestSecret = "********"
            for file in AsteriskConfigFiles.render(settings: settings, agiAddress: agi, monitored: monitored) {
                print(";; ---- \(file.name)\n\(file.contents)")
            }
            return
        }
        let directory = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in AsteriskConfigFiles.render(settings: settings, agiAddress: agi, monitored: monitored) {
            let url = directory.appendingPathComponent(file.name)
            // Written whole to a temporary file and renamed: a reader never sees half a file.
            let temporary = directory.appendingPathComponent(".\(file.name).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: Data(file.contents.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(temporary.path)")
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw CLIError("cannot move \(temporary.path) to \(url.path): \(String(cString: strerror(errno)))")
            }
            print("wrote \(url.path)")
        }
    }
}
