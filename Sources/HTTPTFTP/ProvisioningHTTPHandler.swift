import Foundation
import Logging
import NIOCore
import Provisioning

/// Answers one connection from phones: GET or HEAD of a provisioning file name.
///
/// Runs on the connection's event loop and answers from the in-memory
/// snapshot: no thread hop, no lock wait and no I/O beyond the socket.
/// Responses to pipelined requests are written in order and flushed together.
final class ProvisioningHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = PhoneHTTPRequest
    typealias OutboundOut = ByteBuffer

    private let catalog: ProvisioningCatalog
    private let recorder: FetchRecorder?
    private let logger: Logger
    private var remoteIP: String?
    private var remotePort: Int?
    private var needsFlush = false
    private var closing = false

    init(catalog: ProvisioningCatalog, recorder: FetchRecorder?, logger: Logger) {
        self.catalog = catalog
        self.recorder = recorder
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Formatted once per connection, not once per request.
        remoteIP = context.channel.remoteAddress?.ipAddress
        remotePort = context.channel.remoteAddress?.port
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        respond(to: unwrapInboundIn(data), context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        if let error = error as? PhoneHTTPRequestError {
            logger.notice("bad HTTP request from \(remoteIP ?? "?"): \(error)")
            let status: HTTPResponseWriter.Status = error.kind == .headTooLarge ? .headTooLarge : .badRequest
            send(status, text: "bad request: \(error)\n", includeBody: true, keepAlive: false, context: context)
        } else {
            logger.debug("provisioning HTTP connection error from \(remoteIP ?? "?"): \(error)")
            closing = true
            context.close(promise: nil)
        }
    }

    private func respond(to request: PhoneHTTPRequest, context: ChannelHandlerContext) {
        let isHead = request.method == "HEAD"
        guard request.method == "GET" || isHead else {
            send(
                .methodNotAllowed, text: "only GET and HEAD are served here\n", includeBody: true, keepAlive: request.keepAlive,
                extraHeaders: [("Allow", "GET, HEAD")], context: context
            )
            return
        }
        let path = request.path
        let snapshot = catalog.snapshot
        guard RequestPath.isAcceptable(path) else {
            logger.notice("refused HTTP path \(String(reflecting: String(path.prefix(200)))) from \(remoteIP ?? "?")")
            send(.badRequest, text: "path not allowed\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
            return
        }
        if path == "/" {
            send(.ok, text: "autoprovision: provisioning server is running\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
            return
        }
        switch snapshot.answer(path: path, userAgent: request.userAgent, remoteIP: remoteIP) {
        case .file(let file, let mac):
            if let mac, let recorder {
                recorder.record(FetchEvent(mac: mac, at: Date(), ip: remoteIP, port: remotePort))
            }
            if snapshot.verbose { logger.info("served \(path) to \(client(request))") }
            let buffer = file.body.withUnsafeBytes { body in
                HTTPResponseWriter.encode(
                    .ok, contentType: file.contentType, body: body, includeBody: !isHead, keepAlive: request.keepAlive,
                    allocator: context.channel.allocator
                )
            }
            write(buffer, keepAlive: request.keepAlive, context: context)
        case .notFound(let reason):
            if snapshot.verbose || ConfigRequest(fileName: path.dropFirst()) != nil {
                logger.info("404 \(path) from \(client(request)): \(reason)")
            }
            send(.notFound, text: "not found\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
        case .forbidden(let reason):
            logger.warning("403 \(path) from \(client(request)): \(reason)")
            send(.forbidden, text: "forbidden\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
        case .unavailable(let reason, let retryAfter):
            logger.warning("503 \(path) from \(client(request)): \(reason)")
            send(
                .serviceUnavailable, text: "configuration not available yet\n", includeBody: !isHead, keepAlive: request.keepAlive,
                extraHeaders: [("Retry-After", String(retryAfter))], context: context
            )
        }
    }

    private func client(_ request: PhoneHTTPRequest) -> String {
        "\(remoteIP ?? "?") \(String(reflecting: request.userAgent ?? ""))"
    }

    private func send(
        _ status: HTTPResponseWriter.Status, text: String, includeBody: Bool, keepAlive: Bool, extraHeaders: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        var text = text
        let buffer = text.withUTF8 { bytes in
            HTTPResponseWriter.encode(
                status, contentType: "text/plain; charset=utf-8", body: UnsafeRawBufferPointer(bytes), includeBody: includeBody, keepAlive: keepAlive,
                extraHeaders: extraHeaders, allocator: context.channel.allocator
            )
        }
        write(buffer, keepAlive: keepAlive, context: context)
    }

    private func write(_ buffer: ByteBuffer, keepAlive: Bool, context: ChannelHandlerContext) {
        if keepAlive {
            context.write(wrapOutboundOut(buffer), promise: nil)
            needsFlush = true
        } else {
            closing = true
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
