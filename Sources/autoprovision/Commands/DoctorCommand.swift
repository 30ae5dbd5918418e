import ArgumentParser
import Doctor
import Logging

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check everything a phone needs, one line per check, and exit non-zero if any fails.",
        discussion: """
            Checks the database, pbx-host, the HTTP, HTTPS, TFTP and AGI ports, the PnP and TFTP privileges, the host firewall and \
            the generated Asterisk files; with --ami also the AMI login and permissions, the endpoints, the guest endpoint, the \
            dialplan and check-sync. Each line is marked ok, warn or FAIL, with the fix. Give the options serve gets.
            """
    )
    @OptionGroup var store: StoreOptions
    @OptionGroup var ami: AMIOptions
    @Option(help: ArgumentHelp("Where serve's FastAGI server listens (serve --agi).", valueName: "host:port")) var agi = "127.0.0.1:4573"
    @Option(help: ArgumentHelp("Where serve's TFTP server listens (serve --tftp).", valueName: "host:port")) var tftp = "0.0.0.0:69"

    func run() async throws {
        _ = try ServeCommand.hostPort(agi, option: "--agi")
        _ = try ServeCommand.hostPort(tftp, option: "--tftp")
        let context = DoctorContext.open(databasePath: store.path, agiAddress: agi, tftpAddress: tftp, ami: try ami.configuration())
        var logger = Logger(label: "autoprovision.doctor")
        logger.logLevel = .critical
        let results = await Doctor().run(context, logger: logger)
        for result in results { print(result.line) }
        let failed = results.filter { $0.status == .fail }.count
        let warned = results.filter { $0.status == .warn }.count
        let warnings = warned == 0 ? "" : " (\(warned) warning\(warned == 1 ? "" : "s"))"
        print(failed == 0 ? "no check failed\(warnings)" : "\(failed) of \(results.count) checks failed\(warnings)")
        if failed > 0 { throw ExitCode.failure }
    }
}
