import Foundation
import Logging
import NIOCore
import NIOPosix
import Provisioning
import Synchronization

/// Answers read requests on the TFTP port (69): resolves the file exactly as HTTP does and hands the
/// transfer to a new socket; refuses writes and anything else.
final class TFTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let catalog: ProvisioningCatalog
    private let recorder: FetchRecorder?
    private let policy: FetchPolicy
    private let logger: Logger
    private let limits: TFTPLimits
    private let runner: TFTPTransferRunner

    init(
        catalog: ProvisioningCatalog, recorder: FetchRecorder?, policy: FetchPolicy, logger: Logger, limits: TFTPLimits,
        runner: TFTPTransferRunner
    ) {
        self.catalog = catalog
        self.recorder = recorder
        self.policy = policy
        self.logger = logger
        self.limits = limits
        self.runner = runner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        guard let ip = remote.ipAddress, !Self.isGroupAddress(ip) else { return }
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(parsing: envelope.data)
        } catch {
            logger.debug("TFTP: \(error) from \(remote)")
            reply(.error(code: .illegalOperation, message: "Illegal TFTP operation"), to: remote, context: context)
            return
        }
        switch packet {
        case .readRequest(let filename, let mode, let options):
            start(filename: filename, mode: mode, options: options, client: remote, ip: ip, context: context)
        case .writeRequest(let filename, _):
            logger.debug("TFTP: write of \(String(reflecting: filename)) refused from \(remote)")
            policy.metrics.transfer(.refused)
            reply(.error(code: .accessViolation, message: "Access violation"), to: remote, context: context)
        default:
            reply(.error(code: .illegalOperation, message: "Illegal TFTP operation"), to: remote, context: context)
        }
    }

    /// - Parameter attempt: How many times this request has waited for the requester's neighbour entry.
    private func start(
        filename: String, mode: String, options: [TFTPOption], client: SocketAddress, ip: String, attempt: Int = 0, context: ChannelHandlerContext
    ) {
        let path = filename.hasPrefix("/") ? filename : "/" + filename
        guard RequestPath.isAcceptable(path[...]), !path.dropFirst().isEmpty else {
            logger.notice("TFTP: refused path \(String(reflecting: filename)) from \(ip)")
            policy.metrics.transfer(.refused)
            reply(.error(code: .accessViolation, message: "Access violation"), to: client, context: context)
            return
        }
        let snapshot = catalog.snapshot
        let body: TFTPBody
        var firmwareSize: Int?
        let answer: ProvisioningAnswer
        switch policy.decide(
            path: path[...], userAgent: nil, requester: policy.requester(ip), snapshot: snapshot,
            mayAwaitNeighbour: attempt < FetchPolicy.neighbourRechecks)
        {
        case .banned:
            policy.metrics.transfer(.refused)
            reply(.error(code: .accessViolation, message: "Access violation"), to: client, context: context)
            return
        case .awaitNeighbour:
            // Well inside the client's own retransmission timeout (a second or more), so it does not ask twice.
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: FetchPolicy.neighbourRecheckInterval) {
                let (handler, context) = loopBound.value
                guard context.channel.isActive else { return }
                handler.start(filename: filename, mode: mode, options: options, client: client, ip: ip, attempt: attempt + 1, context: context)
            }
            return
        case .answer(let decided):
            answer = decided
        }
        switch answer {
        case .file(let file, let mac):
            body = TFTPBody(mode == "netascii" ? TFTPTransfer.netascii(file.body) : file.body)
            if let mac { recorder?.record(FetchEvent(mac: mac, at: Date(), ip: ip, port: client.port)) }
            if snapshot.verbose { logger.info("TFTP: serving \(path) to \(ip)") }
        case .stored(let stored):
            // Firmware is binary: it is sent as stored, read from disk block by block, whatever the mode says.
            guard let file = TFTPBody(path: stored.location, size: Int(stored.size)) else {
                logger.warning("TFTP: cannot open \(stored.location) for \(path)")
                policy.metrics.transfer(.failed)
                reply(.error(code: .fileNotFound, message: "File not found"), to: client, context: context)
                return
            }
            body = file
            firmwareSize = Int(stored.size)
        case .notFound(let reason):
            logger.info("TFTP 404 \(path) from \(ip): \(reason)")
            policy.metrics.transfer(.notFound)
            reply(.error(code: .fileNotFound, message: "File not found"), to: client, context: context)
            return
        case .forbidden(let reason):
            logger.info("TFTP 403 \(path) from \(ip): \(reason)")
            policy.metrics.transfer(.refused)
            reply(.error(code: .accessViolation, message: "Access violation"), to: client, context: context)
            return
        case .unavailable(let reason, _):
            logger.warning("TFTP 503 \(path) from \(ip): \(reason)")
            policy.metrics.transfer(.unavailable)
            reply(.error(code: .notDefined, message: "Configuration not available yet, try again"), to: client, context: context)
            return
        }
        guard limits.begin(ip) else {
            logger.notice("TFTP: too many transfers (from \(ip) or in all); request for \(path) refused")
            policy.metrics.transfer(.busy)
            reply(.error(code: .notDefined, message: "Server busy, try again"), to: client, context: context)
            return
        }
        let transfer = TFTPTransfer(file: body, requested: options)
        let listening = context.channel.localAddress?.ipAddress.flatMap { $0 == "0.0.0.0" || $0 == "::" ? nil : $0 }
        let host = listening ?? (client.protocol == .inet6 ? "::" : "0.0.0.0")
        let logger = logger
        let limits = limits
        let metrics = policy.metrics
        let countedSize = firmwareSize
        runner.start(transfer, from: host, to: client, eventLoop: context.eventLoop, logger: logger) { outcome in
            limits.end(ip)
            switch outcome {
            case .completed:
                metrics.transfer(.completed)
                if let countedSize { metrics.firmwareSent(Int64(countedSize)) }
            case .aborted:
                metrics.transfer(.aborted)
            case .failed(let reason):
                logger.info("TFTP transfer to \(client) abandoned: \(reason)")
                metrics.transfer(.failed)
            case .notStarted(let error):
                logger.warning("TFTP: cannot open a transfer socket: \(error)")
                metrics.transfer(.failed)
            }
        }
    }

    private func reply(_ packet: TFTPPacket, to address: SocketAddress, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        packet.encode(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: buffer)), promise: nil)
    }

    /// Multicast and broadcast sources are spoofed by definition: never answer them.
    static func isGroupAddress(_ ip: String) -> Bool {
        if ip.contains(":") { return ip.lowercased().hasPrefix("ff") }
        guard let first = ip.split(separator: ".").first.flatMap({ Int($0) }) else { return true }
        return (224...239).contains(first) || ip == "255.255.255.255" || ip.hasSuffix(".255")
    }
}

/// Bounds concurrent transfers, in all and per client address, so the server cannot be turned into an amplifier.
final class TFTPLimits: Sendable {
    private let state = Mutex<(total: Int, perSource: [String: Int])>((0, [:]))
    let maximumTotal: Int
    let maximumPerSource: Int

    init(maximumTotal: Int = 256, maximumPerSource: Int = 4) {
        self.maximumTotal = maximumTotal
        self.maximumPerSource = maximumPerSource
    }

    func begin(_ source: String) -> Bool {
        state.withLock { state in
            guard state.total < maximumTotal, state.perSource[source, default: 0] < maximumPerSource else { return false }
            state.total += 1
            state.perSource[source, default: 0] += 1
            return true
        }
    }

    func end(_ source: String) {
        state.withLock { state in
            state.total -= 1
            state.perSource[source, default: 1] -= 1
            if state.perSource[source] == 0 { state.perSource[source] = nil }
        }
    }
}
