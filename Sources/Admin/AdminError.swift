import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Provisioning

/// An admin API error: a status and a JSON body naming what was wrong with which input.
public struct AdminError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// The request field at fault, when one is.
    public let field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    /// Maps a store refusal to its status: 422 invalid, 413 too large, 404 unknown, 409 conflict, 500 database.
    public init(_ error: StoreError, field: String? = nil) {
        switch error {
        case .invalidValue: self.init(.unprocessableContent, error.description, field: field)
        case .tooLarge: self.init(.contentTooLarge, error.description, field: field)
        case .notFound: self.init(.notFound, error.description, field: field)
        case .conflict: self.init(.conflict, error.description, field: field)
        case .database: self.init(.internalServerError, error.description, field: field)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(ErrorBody(error: message, field: field), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"autoprovision\"" }
        return response
    }
}

/// `{"error": "...", "field": "..."}`: `field` is null when no single field is at fault.
struct ErrorBody: Encodable {
    var error: String
    var field: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(error, forKey: .error)
        try container.encode(field, forKey: .field)
    }

    enum CodingKeys: String, CodingKey { case error, field }
}
