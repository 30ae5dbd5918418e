import Foundation
import Logging
import NIOCore
import NIOPosix
import Provisioning
import Synchronization

/// Turns PnP SUBSCRIBEs into answers, from one unicast socket of its own.
///
/// Bounded: at most ``maximumQueued`` requests wait, each source gets a few a
/// second, and a retransmitted SUBSCRIBE (same Call-ID) is answered once. The
/// NOTIFY is retransmitted on the SIP timer schedule (500 ms doubling to 4 s)
/// until the phone answers it or 32 s pass.
final class PnPResponder: Sendable {
    static let maximumQueued = 2048
    static let perSourcePerSecond = 20

    private struct State {
        var answered: [String: ContinuousClock.Instant] = [:]
        var perSource: [String: (second: Int, count: Int)] = [:]
        var pendingNotifies: [String: Scheduled<Void>] = [:]
    }

    private let state = Mutex(State())
    private let channel: any Channel
    private let store: ProvisioningStore
    private let catalog: ProvisioningCatalog
    private let neighbours: (any NeighbourLookup)?
    private let logger: Logger
    private let metrics: PnPMetrics
    private let writes: AsyncStream<PnPSubscribe>.Continuation
    private let discoveries: AsyncStream<PnPSubscribe>
    private let started = ContinuousClock.now

    private init(
        channel: any Channel, store: ProvisioningStore, catalog: ProvisioningCatalog, neighbours: (any NeighbourLookup)?, logger: Logger,
        metrics: PnPMetrics, discoveries: AsyncStream<PnPSubscribe>, writes: AsyncStream<PnPSubscribe>.Continuation
    ) {
        self.metrics = metrics
        self.neighbours = neighbours
        self.discoveries = discoveries
        self.channel = channel
        self.store = store
        self.catalog = catalog
        self.logger = logger
        self.writes = writes
    }

    static func start(
        store: ProvisioningStore, catalog: ProvisioningCatalog, neighbours: (any NeighbourLookup)?, logger: Logger,
        metrics: PnPMetrics = PnPMetrics()
    ) async throws -> PnPResponder {
        let box = ResponderBox()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PnPReplyHandler(box: box)) }
            }
            .bind(host: "0.0.0.0", port: 0)
            .get()
        let (stream, continuation) = AsyncStream.makeStream(of: PnPSubscribe.self, bufferingPolicy: .bufferingNewest(maximumQueued))
        let responder = PnPResponder(
            channel: channel, store: store, catalog: catalog, neighbours: neighbours, logger: logger, metrics: metrics, discoveries: stream,
            writes: continuation
        )
        box.responder.withLock { $0 = responder }
        return responder
    }

    /// The phone's private URL token, when the SUBSCRIBE comes from that phone itself: the kernel's
    /// neighbour entry for the source address holds the announced MAC. Anyone else gets the plain URL.
    static func privateToken(
        for mac: MACAddress, at ip: String, snapshot: ProvisioningSnapshot, neighbours: (any NeighbourLookup)?
    ) -> String? {
        guard let found = neighbours?.mac(for: ip), found == mac else { return nil }
        return snapshot.token(for: mac)
    }

    /// Records announced phones in order, off the event loops, until ``close()``: the answer never waits for the store.
    func recordDiscoveries() async {
        for await subscribe in discoveries {
            let source = subscribe.sourceIP ?? ""
            do {
                let isNew = try store.recordDiscovered(
                    mac: subscribe.mac, vendor: subscribe.vendor, model: subscribe.model, firmwareVersion: subscribe.firmwareVersion,
                    ip: source, port: subscribe.sourcePort
                )
                if isNew {
                    logger.notice(
                        "PnP: new phone \(subscribe.mac) (\(subscribe.vendor?.displayName ?? subscribe.announcedVendor ?? "?") \(subscribe.model ?? "")) at \(source)"
                    )
                }
            } catch {
                logger.warning("PnP: cannot record \(subscribe.mac): \(error)")
            }
        }
    }

    func close() {
        writes.finish()
        channel.close(promise: nil)
    }

    /// Handles one datagram sent to the group.
    func receive(_ payload: [UInt8], from ip: String, port: Int) {
        let snapshot = catalog.snapshot
        let verbose = snapshot.verbose
        let message: SIPMessage
        var subscribe: PnPSubscribe
        do {
            message = try SIPMessage(parsing: payload)
            subscribe = try PnPSubscribe(message)
        } catch {
            metrics.count(.invalid)
            if verbose {
                logger.info("PnP: ignored datagram from \(ip):\(port): \(error)")
            } else {
                logger.debug("PnP: ignored datagram from \(ip):\(port): \(error)")
            }
            return
        }
        subscribe.sourceIP = ip
        subscribe.sourcePort = port
        let now = ContinuousClock.now
        let second = Int((now - started).components.seconds)
        let dropped: PnPMetrics.Result? = state.withLock { state in
            if let seen = state.answered[subscribe.callID], now - seen < .seconds(32) { return .retransmission }
            let entry = state.perSource[ip]
            let count = entry?.second == second ? entry!.count + 1 : 1
            state.perSource[ip] = (second, count)
            guard count <= Self.perSourcePerSecond else { return .rateLimited }
            state.answered[subscribe.callID] = now
            if state.answered.count > 20_000 { state.answered = state.answered.filter { now - $0.value < .seconds(32) } }
            if state.perSource.count > 20_000 { state.perSource = state.perSource.filter { $0.value.second == second } }
            return nil
        }
        if let dropped {
            metrics.count(dropped)
            if verbose { logger.info("PnP: retransmission or too many requests from \(ip), not answered again") }
            return
        }
        let verdict = snapshot.settings.admits(subscribe.mac)
        if verbose {
            logger.info(
                "PnP: SUBSCRIBE from \(ip):\(port) MAC \(subscribe.mac) vendor \(subscribe.announcedVendor ?? "?") model \(subscribe.model ?? "?"): \(verdict.reason)"
            )
        }
        guard verdict == .allowed else {
            metrics.count(.refused)
            logger.notice("PnP: \(subscribe.mac) at \(ip) not answered: \(verdict.reason)")
            return
        }
        writes.yield(subscribe)
        let settings = snapshot.settings
        let local = (ip: settings.pbxHost, port: channel.localAddress?.port ?? 0)
        let tag = Self.token()
        let ok = PnPReply.ok(subscribe, source: (ip, port), local: local, tag: tag)
        let url = PnPReply.url(
            server: settings.phoneBaseURL, subscribe: subscribe,
            token: Self.privateToken(for: subscribe.mac, at: ip, snapshot: snapshot, neighbours: neighbours)
        )
        let notify = PnPReply.notify(subscribe, source: (ip, port), local: local, tag: tag, url: url, branch: Self.token())
        guard let destination = try? SocketAddress(ipAddress: ip, port: port) else { return }
        metrics.count(.answered)
        send(ok, to: destination)
        sendNotify(notify, to: destination, callID: subscribe.callID, interval: .milliseconds(500), deadline: now + .seconds(32))
    }

    /// A response to our NOTIFY ends its retransmission.
    func receiveReply(_ payload: [UInt8]) {
        guard let message = try? SIPMessage(parsing: payload), case .response = message.startLine, let callID = message["Call-ID"],
            message["CSeq"]?.uppercased().hasSuffix("NOTIFY") == true
        else { return }
        state.withLock { $0.pendingNotifies.removeValue(forKey: callID) }?.cancel()
    }

    private func sendNotify(
        _ notify: SIPMessage, to destination: SocketAddress, callID: String, interval: TimeAmount, deadline: ContinuousClock.Instant
    ) {
        send(notify, to: destination)
        guard ContinuousClock.now < deadline else {
            state.withLock { _ = $0.pendingNotifies.removeValue(forKey: callID) }
            return
        }
        let next = min(interval * 2, .seconds(4))
        let scheduled = channel.eventLoop.scheduleTask(in: interval) { [self] in
            sendNotify(notify, to: destination, callID: callID, interval: next, deadline: deadline)
        }
        state.withLock { $0.pendingNotifies[callID] = scheduled }
    }

    private func send(_ message: SIPMessage, to destination: SocketAddress) {
        let envelope = AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(string: message.serialized))
        channel.writeAndFlush(envelope, promise: nil)
    }

    static func token() -> String {
        String((0..<10).map { _ in "0123456789abcdef".randomElement()! })
    }
}

final class ResponderBox: Sendable {
    let responder = Mutex<PnPResponder?>(nil)
}

/// Reads what phones send back to the unicast socket (the 200 OK to our NOTIFY).
final class PnPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let box: ResponderBox

    init(box: ResponderBox) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        box.responder.withLock { $0 }?.receiveReply(Array(envelope.data.readableBytesView))
    }
}
