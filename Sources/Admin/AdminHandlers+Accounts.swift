import Foundation
import Hummingbird
import Provisioning

extension AdminHandlers {
    func addAccountRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("accounts") { _, _ in
            try JSONResponse.make(
                try run { try store.accounts() }.map {
                    AdminModels.Account(extension: $0.extensionNumber, authUsername: $0.authUsername, displayName: $0.displayName)
                }
            )
        }
        api.post("accounts") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.NewAccount.self)
            if try run({ try store.accounts() }).contains(where: { $0.extensionNumber == input.extension }) {
                throw AdminError(.conflict, "extension \(input.extension) has an account already", field: "extension")
            }
            let password = input.password.flatMap { $0.isEmpty ? nil : $0 } ?? ProvisioningStore.randomSecret(length: 20)
            let account = AccountRecord(
                extensionNumber: input.extension, authUsername: input.authUsername.flatMap { $0.isEmpty ? nil : $0 } ?? input.extension,
                password: password, displayName: input.displayName ?? ""
            )
            try run(field: "extension") { try store.saveAccount(account) }
            return try JSONResponse.make(
                AdminModels.Account(extension: account.extensionNumber, authUsername: account.authUsername, displayName: account.displayName),
                status: .created
            )
        }
        api.delete("accounts/:extension") { _, context in
            let ext = try context.parameters.require("extension")
            try run { try store.removeAccount(ext) }
            return JSONResponse.noContent()
        }
    }
}
