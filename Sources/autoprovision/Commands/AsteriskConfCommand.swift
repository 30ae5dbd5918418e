import ArgumentParser
import Provisioning

struct AsteriskConfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asterisk-conf",
        abstract: "Write the Asterisk dialplan and guest endpoint, filled in from the store.",
        discussion: """
            Writes extensions.conf and pjsip.conf (with the guest secret: mode 0600) into --output. Without --output, prints them \
            with the secret masked. With the asterisk-conf-dir setting, serve keeps them current in that directory by itself and \
            reloads Asterisk over AMI; --print-includes prints the two #include lines to add once.
            """
    )
    @OptionGroup var store: StoreOptions
    @Option(help: "The directory to write into (created if needed).") var output: String?
    @Option(help: ArgumentHelp("The FastAGI address the dialplan calls (as given to serve --agi).", valueName: "host:port")) var agi =
        "127.0.0.1:4573"
    @Flag(help: "Print the #include lines for Asterisk's extensions.conf and pjsip.conf (of --output, else of asterisk-conf-dir).")
    var printIncludes = false

    func run() async throws {
        _ = try ServeCommand.hostPort(agi, option: "--agi")
        let opened = try store.open()
        if printIncludes {
            let directory = try output ?? opened.settings().asteriskConfDir
            guard !directory.isEmpty else { throw CLIError("no directory: give --output DIR, or set one with 'settings set asterisk-conf-dir DIR'") }
            print(AsteriskConfigDirectory(path: directory).includeLines, terminator: "")
            return
        }
        guard let output else {
            for file in try opened.asteriskConfigFiles(agiAddress: agi, showSecret: false) {
                print(";; ---- \(file.name)\n\(file.contents)")
            }
            return
        }
        let directory = AsteriskConfigDirectory(path: output)
        do {
            let written = try directory.update(try opened.asteriskConfigFiles(agiAddress: agi, showSecret: true))
            for name in ["extensions.conf", "pjsip.conf"] {
                print(written.contains(name) ? "wrote \(output)/\(name)" : "unchanged \(output)/\(name)")
            }
        } catch let error as AsteriskConfigWriteError {
            throw CLIError(error.description)
        }
    }
}
