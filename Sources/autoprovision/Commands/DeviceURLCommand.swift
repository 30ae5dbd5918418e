import ArgumentParser
import Certificates
import Foundation
import Provisioning

extension DeviceCommand {
    /// `device url`: the phone's private provisioning URL, for remote phones and vendor redirection services.
    struct PrivateURL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url",
            abstract: "Print a phone's private provisioning URL (http(s)://<pbx-host>:<port>/p/<token>/).",
            discussion: """
                The phone appends its own file name. The URL opens that phone's files from any address, so \
                give it only to the phone or to its vendor's redirection service (Yealink RPS, Snom SRAPS, \
                Fanvil FDPS, Grandstream GDMS). --rotate replaces the token; a running daemon stops \
                honouring the old one within a second. The URL is https when a certificate is installed \
                (serve then opens HTTPS on https-port), unless phone-scheme says otherwise.
                """
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Flag(help: "Replace the token first, so the old URL stops working.") var rotate = false

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            let token = rotate ? try store.rotateToken(mac: mac) : try store.token(mac: mac)
            var settings = try store.settings()
            // serve opens HTTPS on https-port whenever a certificate is installed.
            if FileManager.default.fileExists(atPath: TLSFiles(databasePath: store.path).certificatePath) {
                settings.httpsListening = settings.httpsPort
            }
            print(settings.provisioningURL(token: token))
        }
    }
}
