import Foundation
import HTTPTypes
public import Hummingbird
import Provisioning

/// The admin listener's routes: the page, `/openapi.json`, `/metrics`, and the token-protected `/api/`.
public enum AdminRouter {
    /// Every API route as `METHOD /path` in the OpenAPI document's spelling, for the test that checks the document.
    public static let routes: [String] = [
        "GET /api/status",
        "GET /api/devices", "POST /api/devices", "GET /api/devices/{mac}", "PATCH /api/devices/{mac}", "DELETE /api/devices/{mac}",
        "PUT /api/devices/{mac}/lines/{line}", "DELETE /api/devices/{mac}/lines/{line}",
        "GET /api/devices/{mac}/keys", "PUT /api/devices/{mac}/keys", "POST /api/devices/{mac}/reboot", "GET /api/devices/{mac}/preview",
        "GET /api/devices/{mac}/url", "POST /api/devices/{mac}/url/rotate",
        "GET /api/templates", "POST /api/templates", "GET /api/templates/{id}", "PUT /api/templates/{id}", "DELETE /api/templates/{id}",
        "POST /api/templates/examples", "POST /api/templates/preview", "GET /api/placeholders",
        "GET /api/uri-mappings", "POST /api/uri-mappings", "DELETE /api/uri-mappings/{id}",
        "GET /api/settings", "PATCH /api/settings", "GET /api/asterisk-conf",
        "GET /api/phonebook/sources", "POST /api/phonebook/sources", "DELETE /api/phonebook/sources/{id}", "GET /api/phonebook/entries",
        "GET /api/firmware", "POST /api/firmware", "PUT /api/firmware/{id}/file", "PATCH /api/firmware/{id}", "DELETE /api/firmware/{id}",
        "GET /api/accounts", "POST /api/accounts", "DELETE /api/accounts/{extension}",
        "GET /api/audit", "GET /api/bans", "DELETE /api/bans/{address}",
    ]

    /// Builds the router.
    /// - Parameters:
    ///   - environment: The store and hooks the handlers use.
    ///   - token: The bearer token every `/api/` request must carry.
    ///   - assets: The page's files.
    ///   - metrics: What `GET /metrics` prints; without it there is no such route.
    public static func build(
        environment: AdminEnvironment, token: String, assets: WebAssets, metrics: MetricsExporter? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        for (path, asset) in assets.files {
            router.get(RouterPath(path)) { _, _ in asset.response() }
        }
        let handlers = AdminHandlers(environment: environment)
        if let metrics {
            // Outside /api/ and its token: counts only, for a Prometheus that holds no secret, on a loopback listener by default.
            handlers.addMetricsRoute(to: router, metrics: metrics)
        }
        let api = router.group("api").add(middleware: BearerTokenMiddleware(token: token))
        handlers.addStatusRoutes(to: api)
        handlers.addDeviceRoutes(to: api)
        handlers.addTemplateRoutes(to: api)
        handlers.addSettingsRoutes(to: api)
        handlers.addFirmwareRoutes(to: api)
        handlers.addAccountRoutes(to: api)
        return router
    }
}

/// The handlers, sharing the environment.
struct AdminHandlers: Sendable {
    let environment: AdminEnvironment

    var store: ProvisioningStore { environment.store }

    func mac(_ context: BasicRequestContext) throws -> MACAddress {
        let raw = try context.parameters.require("mac")
        let text = raw.removingPercentEncoding ?? raw
        do {
            return try MACAddress(parsing: text)
        } catch {
            throw AdminError(.badRequest, "'\(text)' is not a MAC address", field: "mac")
        }
    }

    func id(_ context: BasicRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw AdminError(.badRequest, "'\(text)' is not an id", field: "id") }
        return id
    }

    /// A query parameter, read the way HTML forms send it: `+` is a space, `%2B` a plus.
    func query(_ request: Request, _ name: String) -> String? {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            if decode(parts[0]) == name { return parts.count > 1 ? decode(parts[1]) : "" }
        }
        return nil
    }

    func vendor(_ name: String, field: String = "vendor") throws -> Vendor {
        guard let vendor = Vendor(name: name) else {
            throw AdminError(.unprocessableContent, "'\(name)' is not a vendor (yealink, snom, fanvil, grandstream, htek)", field: field)
        }
        return vendor
    }

    /// Runs a store call, turning its refusal into the matching status.
    func run<T>(field: String? = nil, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as StoreError {
            throw AdminError(error, field: field)
        }
    }
}

/// Headers that keep the page from being framed or sniffed, and scripts to our own files.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as AdminError {
            response = try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own errors (no route, body too large) get the same JSON shape as ours.
            let message = error.status == .notFound ? "no such resource: \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            response = try AdminError(error.status, message).response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
