import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Provisioning

/// Answers one HTTP/1.1 connection from phones: GET or HEAD of a provisioning file name.
///
/// Runs on the connection's event loop and answers from the in-memory
/// snapshot, so a request costs no thread hop, no lock wait and no I/O
/// beyond the socket.
final class ProvisioningHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let catalog: ProvisioningCatalog
    private let recorder: FetchRecorder?
    private let logger: Logger
    private var request: HTTPRequestHead?

    init(catalog: ProvisioningCatalog, recorder: FetchRecorder?, logger: Logger) {
        self.catalog = catalog
        self.recorder = recorder
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            // Phones send no bodies; whatever arrives is discarded, never buffered.
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("provisioning HTTP connection error: \(error)")
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress
        let snapshot = catalog.snapshot
        let verbose = snapshot.verbose
        guard head.method == .GET || head.method == .HEAD else {
            send(.methodNotAllowed, text: "only GET and HEAD are served here\n", extra: [("Allow", "GET, HEAD")], head: head, context: context)
            return
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path.first == "/", !path.contains("%"), !path.contains("\\"), !path.contains("\0"), !path.contains("..") else {
            logger.notice("refused HTTP path \(String(reflecting: String(path.prefix(200)))) from \(remote?.ipAddress ?? "?")")
            send(.badRequest, text: "path not allowed\n", head: head, context: context)
            return
        }
        if path == "/" {
            send(.ok, text: "autoprovision: provisioning server is running\n", head: head, context: context)
            return
        }
        let userAgent = head.headers.first(name: "user-agent")
        let answer = snapshot.answer(path: path, userAgent: userAgent, remoteIP: remote?.ipAddress)
        let client = "\(remote?.ipAddress ?? "?") \(String(reflecting: userAgent ?? ""))"
        switch answer {
        case .file(let file, let mac):
            if let mac, let recorder {
                recorder.record(FetchEvent(mac: mac, at: Date(), ip: remote?.ipAddress, port: remote?.port))
            }
            if verbose { logger.info("served \(path) to \(client)") }
            send(file, head: head, context: context)
        case .notFound(let reason):
            if verbose || head.uri.count < 64 && path.contains(where: \.isNumber) { logger.info("404 \(path) from \(client): \(reason)") }
            send(.notFound, text: "not found\n", head: head, context: context)
        case .forbidden(let reason):
            logger.warning("403 \(path) from \(client): \(reason)")
            send(.forbidden, text: "forbidden\n", head: head, context: context)
        case .unavailable(let reason, let retryAfter):
            logger.warning("503 \(path) from \(client): \(reason)")
            send(.serviceUnavailable, text: "configuration not available yet\n", extra: [("Retry-After", String(retryAfter))], head: head, context: context)
        }
    }

    private func send(_ file: ServedFile, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = [
            "Content-Type": file.contentType,
            "Content-Length": String(file.body.count),
            "Cache-Control": "no-store",
        ]
        write(status: .ok, headers: headers, body: head.method == .HEAD ? nil : file.body, head: head, context: context)
    }

    private func send(
        _ status: HTTPResponseStatus, text: String, extra: [(String, String)] = [], head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        var headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8", "Content-Length": String(text.utf8.count)]
        headers.add(contentsOf: extra)
        write(status: status, headers: headers, body: head.method == .HEAD ? nil : Array(text.utf8), head: head, context: context)
    }

    private func write(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]?, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = headers
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
