import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>`.
///
/// A token in the query string is refused even when right: URLs end up in logs
/// and browser history, so the token must travel in the header only.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let query = request.uri.queryParameters
        if query["token"] != nil || query["access_token"] != nil {
            throw AdminError(.badRequest, "tokens go in the Authorization header, never in the URL", field: "token")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(token.utf8))
        else {
            throw AdminError(.unauthorized, "missing or wrong bearer token")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so timing tells nothing about the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
