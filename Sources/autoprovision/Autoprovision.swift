import ArgumentParser

/// The `autoprovision` command: the daemon and the admin CLI over the same store.
@main
struct Autoprovision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoprovision",
        abstract: "Zero-touch provisioning of Yealink, Snom, Fanvil, Grandstream and Htek desk phones for Asterisk.",
        version: ProductVersion.full,
        subcommands: [
            ServeCommand.self, SettingsCommand.self, AccountCommand.self, DeviceCommand.self, TemplateCommand.self,
            URICommand.self, RenderCommand.self, AMICommand.self, AsteriskConfCommand.self, FirmwareCommand.self, PhonebookCommand.self,
            AdminCommand.self, BansCommand.self, TLSCommand.self, DoctorCommand.self,
        ]
    )
}
