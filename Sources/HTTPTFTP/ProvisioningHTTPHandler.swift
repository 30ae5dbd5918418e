import Certificates
import Foundation
import Logging
import Metrics
import NIOCore
import Provisioning

/// Answers one connection from phones: GET or HEAD of a provisioning file name.
///
/// Runs on the connection's event loop and answers from the in-memory
/// snapshot: no thread hop, no lock wait and no I/O beyond the socket.
/// Responses to pipelined requests are written in order and flushed together.
///
/// It runs ``PhoneHTTPRequestDecoder`` itself, through NIO's single-step processor,
/// rather than behind a `ByteToMessageHandler`: that saves a pipeline hop and the
/// boxing of each request on the way, per request, which a mass reboot pays thousands of times a second.
final class ProvisioningHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let catalog: ProvisioningCatalog
    private let recorder: FetchRecorder?
    private let policy: FetchPolicy
    /// On an HTTPS connection, what the client certificate proved.
    private let proof: DeviceProof?
    private let logger: Logger
    /// What this connection's event loop keeps for all its connections; nil answers everything the full way.
    private let loopState: HTTPLoopState?
    private var remoteIP: String?
    private var remotePort: Int?
    /// Worked out when the connection opens: the neighbour table is asked once per connection.
    private var requester: Requester?
    /// The snapshot the last request was answered from, kept while the catalog's generation stays the same.
    private var published: PublishedSnapshot?
    private var needsFlush = false
    private var closing = false
    /// While a file streams from disk, later pipelined requests wait here, to be answered in order.
    private var streaming = false
    private var waiting: [PhoneHTTPRequest] = []
    /// A request held while the neighbour cache may still be hearing of the requester's entry; later ones wait behind it.
    private var neighbourRecheck: Scheduled<Void>?
    private var neighbourRechecksLeft = FetchPolicy.neighbourRechecks
    /// A connection that sends nothing for this long (up to twice this long after its last request) is
    /// closed, so idle or half-open sockets cannot pile up. A flag checked by one timer, rather than a clock
    /// read per request and a handler of its own in the pipeline.
    private let idleTimeout: TimeAmount
    /// Whether any bytes arrived since the last idle check.
    private var readSinceIdleCheck = false
    private var idleCheck: Scheduled<Void>?
    /// The most requests held behind a download or a held request.
    static let maximumWaiting = 64
    private let decoder = NIOSingleStepByteToMessageProcessor(
        PhoneHTTPRequestDecoder(), maximumBufferSize: PhoneHTTPRequestDecoder.maximumHeadSize * 2)

    init(
        catalog: ProvisioningCatalog, recorder: FetchRecorder?, policy: FetchPolicy, proof: DeviceProof? = nil,
        loopState: HTTPLoopState? = nil, idleTimeout: TimeAmount = .seconds(30), logger: Logger
    ) {
        self.loopState = loopState
        self.idleTimeout = idleTimeout
        self.catalog = catalog
        self.recorder = recorder
        self.policy = policy
        self.proof = proof
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Formatted once per connection, not once per request.
        remoteIP = context.channel.remoteAddress?.ipAddress
        remotePort = context.channel.remoteAddress?.port
        requester = policy.requester(remoteIP)
        if context.channel.isActive { scheduleIdleCheck(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if idleCheck == nil { scheduleIdleCheck(context: context) }
        context.fireChannelActive()
    }

    /// Also runs when the channel closes, as NIO takes the pipeline down.
    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        neighbourRecheck?.cancel()
        neighbourRecheck = nil
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: idleTimeout) {
            let (handler, context) = loopBound.value
            // A firmware download to a slow phone reads nothing for minutes and is not idle.
            if handler.readSinceIdleCheck || handler.streaming {
                handler.readSinceIdleCheck = false
                handler.scheduleIdleCheck(context: context)
            } else {
                handler.idleCheck = nil
                handler.closing = true
                context.close(promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readSinceIdleCheck = true
        guard !closing else { return }
        do {
            try decoder.process(buffer: unwrapInboundIn(data)) { request in
                guard !closing else { return }
                if streaming || neighbourRecheck != nil {
                    guard waiting.count < Self.maximumWaiting else {
                        // A phone asks for a file or two at a time; a queue this long is a client that never reads.
                        logger.notice(
                            "more than \(Self.maximumWaiting) pipelined requests from \(remoteIP ?? "?") while one is held: connection closed")
                        closing = true
                        context.close(promise: nil)
                        return
                    }
                    waiting.append(request)
                } else {
                    respond(to: request, context: context)
                }
            }
        } catch {
            refuse(error, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        logger.debug("provisioning HTTP connection error from \(remoteIP ?? "?"): \(error)")
        closing = true
        context.close(promise: nil)
    }

    /// A request that could not be read: answered 400 (431 for an oversized head), and the connection closed.
    private func refuse(_ error: any Error, context: ChannelHandlerContext) {
        guard !closing else { return }
        let error =
            error as? PhoneHTTPRequestError
            ?? .headTooLarge(PhoneHTTPRequestDecoder.maximumHeadSize)  // the processor's own buffer limit
        logger.notice("bad HTTP request from \(remoteIP ?? "?"): \(error)")
        let status: HTTPResponseWriter.Status = error.kind == .headTooLarge ? .headTooLarge : .badRequest
        policy.metrics.request(status: status.code, vendor: nil)
        send(status, text: "bad request: \(error)\n", includeBody: true, keepAlive: false, context: context)
    }

    private func respond(to request: PhoneHTTPRequest, context: ChannelHandlerContext) {
        let isHead = request.method == "HEAD"
        guard request.method == "GET" || isHead else {
            policy.metrics.request(status: 405, vendor: nil)
            send(
                .methodNotAllowed, text: "only GET and HEAD are served here\n", includeBody: true, keepAlive: request.keepAlive,
                extraHeaders: [("Allow", "GET, HEAD")], context: context
            )
            return
        }
        let path = request.path
        let published = currentSnapshot()
        let snapshot = published.snapshot
        guard RequestPath.isAcceptable(path) else {
            logger.notice("refused HTTP path \(String(reflecting: String(path.prefix(200)))) from \(remoteIP ?? "?")")
            policy.metrics.request(status: 400, vendor: nil)
            send(.badRequest, text: "path not allowed\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
            return
        }
        if path == "/" {
            send(.ok, text: "autoprovision: provisioning server is running\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
            return
        }
        var requester = self.requester ?? policy.requester(remoteIP)
        if requester.neighbourMAC == nil, !requester.isLoopback {
            // The kernel's entry may reach the cache a moment after the connection does: ask again until it has.
            requester = policy.requester(remoteIP)
            self.requester = requester
        }
        if let forwarded = request.forwardedFor, !snapshot.settings.trustedProxies.isEmpty, requester.isIn(snapshot.settings.trustedProxies) {
            // The proxy names the client; an address that does not parse leaves the proxy as the requester.
            if IPNetwork.isAddress(forwarded) { requester = policy.requester(forwarded) }
        }
        let proven = proof?.value
        requester.verifiedDeviceMAC = proven?.mac
        // A phone's own file, admitted: the loop's kept response, the way every phone of a mass reboot is answered.
        // Anything else (a refusal, a held request, HEAD, Connection: close) takes the full way below.
        if request.keepAlive, !isHead, let loopState,
            let own = loopState.ownFileResponse(path: path, published: published, allocator: context.channel.allocator),
            policy.admitsOwnFile(of: own.mac, path: path, requester: requester, settings: snapshot.settings)
        {
            recordFetch(of: own.mac, request: request, proven: proven)
            if snapshot.verbose { logger.info("served \(path) to \(client(request))") }
            own.served?.increment()
            write(own.buffer, keepAlive: true, context: context)
            return
        }
        let answer: ProvisioningAnswer
        switch policy.decide(
            path: path, userAgent: request.userAgent, requester: requester, snapshot: snapshot, mayAwaitNeighbour: neighbourRechecksLeft > 0)
        {
        case .banned:
            // No lookup, and no log line per request (the ban itself was logged once).
            policy.metrics.request(status: 403, vendor: ServingMetrics.vendor(path: path, mac: nil, snapshot: snapshot))
            send(.forbidden, text: "forbidden\n", includeBody: !isHead, keepAlive: false, context: context)
            return
        case .awaitNeighbour:
            awaitNeighbour(then: request, context: context)
            return
        case .answer(let decided):
            answer = decided
        }
        switch answer {
        case .file(let file, let mac):
            if let mac { recordFetch(of: mac, request: request, proven: proven) }
            if snapshot.verbose { logger.info("served \(path) to \(client(request))") }
            policy.metrics.request(status: 200, vendor: file.vendor ?? ServingMetrics.vendor(path: path, mac: mac, snapshot: snapshot))
            let buffer: ByteBuffer
            if request.keepAlive, !isHead {
                buffer = EncodedResponse.keptAliveGet(of: file, allocator: context.channel.allocator)
            } else {
                buffer = file.body.withUnsafeBytes { body in
                    HTTPResponseWriter.encode(
                        .ok, contentType: file.contentType, body: body, includeBody: !isHead, keepAlive: request.keepAlive,
                        allocator: context.channel.allocator
                    )
                }
            }
            write(buffer, keepAlive: request.keepAlive, context: context)
        case .stored(let stored):
            respond(stored, to: request, isHead: isHead, context: context)
        case .notFound(let reason):
            if snapshot.verbose || ConfigRequest(fileName: path.dropFirst()) != nil {
                logger.info("404 \(path) from \(client(request)): \(reason)")
            }
            policy.metrics.request(status: 404, vendor: ServingMetrics.vendor(path: path, mac: nil, snapshot: snapshot))
            send(.notFound, text: "not found\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
        case .forbidden(let reason):
            logger.info("403 \(path) from \(client(request)): \(reason)")
            policy.metrics.request(status: 403, vendor: ServingMetrics.vendor(path: path, mac: nil, snapshot: snapshot))
            send(.forbidden, text: "forbidden\n", includeBody: !isHead, keepAlive: request.keepAlive, context: context)
        case .unavailable(let reason, let retryAfter):
            logger.warning("503 \(path) from \(client(request)): \(reason)")
            policy.metrics.request(status: 503, vendor: ServingMetrics.vendor(path: path, mac: nil, snapshot: snapshot))
            send(
                .serviceUnavailable, text: "configuration not available yet\n", includeBody: !isHead, keepAlive: request.keepAlive,
                extraHeaders: [("Retry-After", String(retryAfter))], context: context
            )
        }
    }

    private func recordFetch(of mac: MACAddress, request: PhoneHTTPRequest, proven: DeviceIdentity?) {
        guard let recorder else { return }
        recorder.record(
            FetchEvent(
                mac: mac, at: Date(), ip: remoteIP, port: remotePort, userAgent: request.userAgent,
                certificateSubject: proven?.mac == mac ? proven?.subject : nil
            ),
            lane: loopState?.lane ?? 0)
    }

    /// Holds `request` for one ``FetchPolicy/neighbourRecheckInterval`` and answers it then, with the
    /// requester looked up again; requests pipelined behind it are answered after it, in order.
    private func awaitNeighbour(then request: PhoneHTTPRequest, context: ChannelHandlerContext) {
        neighbourRechecksLeft -= 1
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        neighbourRecheck = context.eventLoop.scheduleTask(in: FetchPolicy.neighbourRecheckInterval) {
            let (handler, context) = loopBound.value
            handler.neighbourRecheck = nil
            guard !handler.closing, context.channel.isActive else { return }
            // Asked again whatever the cache said before: an entry that named another phone may have changed too.
            handler.requester = handler.policy.requester(handler.remoteIP)
            handler.respond(to: request, context: context)
            handler.answerWaiting(context: context)
        }
    }

    /// Answers the requests that waited behind a download or a held request, until one holds the line again.
    private func answerWaiting(context: ChannelHandlerContext) {
        while !streaming, neighbourRecheck == nil, !closing, !waiting.isEmpty {
            respond(to: waiting.removeFirst(), context: context)
        }
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    private func currentSnapshot() -> PublishedSnapshot {
        if let published, published.generation == catalog.generation { return published }
        let fresh = catalog.published
        published = fresh
        return fresh
    }

    /// A file from disk: ETag, byte ranges, HEAD, streamed in pieces.
    private func respond(_ stored: StoredFile, to request: PhoneHTTPRequest, isHead: Bool, context: ChannelHandlerContext) {
        let etag = "\"\(stored.sha256)\""
        var headers: [(String, String)] = [("ETag", etag), ("Accept-Ranges", "bytes")]
        if let ifNoneMatch = request.ifNoneMatch, ifNoneMatch.contains(etag) || ifNoneMatch == "*" {
            policy.metrics.request(status: 304, vendor: nil)
            writeHead("HTTP/1.1 304 Not Modified", headers: headers, keepAlive: request.keepAlive, context: context)
            return
        }
        var range = 0...(stored.size - 1)
        var status = "HTTP/1.1 200 OK"
        switch StoredFileStreamer.range(request.range, size: stored.size) {
        case .none:
            break
        case .success(let wanted):
            range = wanted
            status = "HTTP/1.1 206 Partial Content"
            headers.append(("Content-Range", "bytes \(wanted.lowerBound)-\(wanted.upperBound)/\(stored.size)"))
        case .failure:
            policy.metrics.request(status: 416, vendor: nil)
            send(
                .rangeNotSatisfiable, text: "range not satisfiable\n", includeBody: !isHead, keepAlive: request.keepAlive,
                extraHeaders: [("Content-Range", "bytes */\(stored.size)")], context: context)
            return
        }
        headers.append(("Content-Type", stored.contentType))
        policy.metrics.request(status: status == "HTTP/1.1 200 OK" ? 200 : 206, vendor: nil)
        headers.append(("Content-Length", String(stored.size == 0 ? 0 : range.count)))
        writeHead(status, headers: headers, keepAlive: request.keepAlive, flushNow: isHead || stored.size == 0, context: context)
        guard !isHead, stored.size > 0 else { return }
        streaming = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let length = Int64(range.count)
        context.flush()
        StoredFileStreamer.stream(stored.location, range: range, to: context.channel).whenComplete { result in
            let (handler, context) = loopBound.value
            handler.streaming = false
            if case .success = result { handler.policy.metrics.firmwareSent(length) }
            if case .failure(let error) = result {
                handler.logger.warning("firmware download to \(handler.remoteIP ?? "?") failed: \(error)")
                handler.closing = true
                context.close(promise: nil)
                return
            }
            if !request.keepAlive {
                handler.closing = true
                context.close(promise: nil)
                return
            }
            handler.answerWaiting(context: context)
        }
    }

    private func writeHead(_ status: String, headers: [(String, String)], keepAlive: Bool, flushNow: Bool = true, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeString(status + "\r\n")
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        if !keepAlive { buffer.writeString("Connection: close\r\n") }
        buffer.writeString("\r\n")
        if flushNow {
            write(buffer, keepAlive: keepAlive, context: context)
        } else {
            context.write(wrapOutboundOut(buffer), promise: nil)
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
