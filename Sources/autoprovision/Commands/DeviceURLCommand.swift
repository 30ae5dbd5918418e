import ArgumentParser
import Provisioning

extension DeviceCommand {
    /// `device url`: the phone's private provisioning URL, for remote phones and vendor redirection services.
    struct PrivateURL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url",
            abstract: "Print a phone's private provisioning URL (http://<pbx-host>:<port>/p/<token>/).",
            discussion: """
                The phone appends its own file name. The URL opens that phone's files from any address, so \
                give it only to the phone or to its vendor's redirection service (Yealink RPS, Snom SRAPS, \
                Fanvil FDPS, Grandstream GDMS). --rotate replaces the token; a running daemon stops \
                honouring the old one within a second.
                """
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Flag(help: "Replace the token first, so the old URL stops working.") var rotate = false

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            let token = rotate ? try store.rotateToken(mac: mac) : try store.token(mac: mac)
            print(try store.settings().provisioningURL(token: token))
        }
    }
}
