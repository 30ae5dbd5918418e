import Foundation
import Hummingbird
import NIOCore

/// JSON bodies in and out of the admin API, with errors that name the field at fault.
enum JSONResponse {
    /// The largest JSON body accepted (a template is at most 256 KB).
    static let maximumBodySize = 1 << 20

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func noContent() -> Response {
        Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}

extension Request {
    /// Reads and decodes a JSON body.
    /// - Throws: ``AdminError`` 413 for a body over 1 MB, 400 for malformed JSON or a wrong type (naming the field).
    mutating func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: JSONResponse.maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw AdminError(.contentTooLarge, "the body is over \(JSONResponse.maximumBodySize / 1024) KB")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw AdminError(decoding: error)
        }
    }
}

extension AdminError {
    /// A 400 naming the field a decoding error is about.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String? {
            codingPath.isEmpty ? nil : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(.badRequest, "\(path(context.codingPath) ?? "the body") must be \(Self.describe(type))", field: path(context.codingPath))
        case .valueNotFound(let type, let context):
            self.init(
                .badRequest, "\(path(context.codingPath) ?? "the body") must be \(Self.describe(type)), not null", field: path(context.codingPath))
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key]) ?? key.stringValue
            self.init(.badRequest, "\(field) is required", field: field)
        case .dataCorrupted(let context):
            if let field = path(context.codingPath) {
                self.init(.badRequest, "\(field): \(context.debugDescription)", field: field)
            } else {
                self.init(.badRequest, "the body is not valid JSON")
            }
        @unknown default:
            self.init(.badRequest, "the body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "of type \(type)"
        }
    }
}
