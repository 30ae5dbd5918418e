import Foundation
public import Logging
import NIOCore
import NIOPosix
public import Provisioning
public import ServiceLifecycle
import Synchronization

/// Answers SIP multicast plug-and-play (224.0.1.75:5060): a phone's `SUBSCRIBE` gets a `200 OK` and a
/// `NOTIFY` carrying the provisioning URL, and the phone is recorded, unbound, for an admin or the star code.
///
/// It listens with an ordinary UDP socket when port 5060 is free, else (beside
/// Asterisk) through a packet socket. Without the privilege for either it logs
/// one line and stays off; the rest of the daemon runs on.
public struct PnPService: Service {
    let store: ProvisioningStore
    let catalog: ProvisioningCatalog
    let interfaces: [String]?
    let neighbours: (any NeighbourLookup)?
    let logger: Logger
    let port: Int
    let onReady: @Sendable (String) -> Void
    let metrics: PnPMetrics

    /// - Parameters:
    ///   - store: Where discovered phones are recorded.
    ///   - catalog: The settings (server address, HTTP port, MAC lists, verbose).
    ///   - interfaces: The interfaces to listen on; nil for every multicast-capable IPv4 one.
    ///   - neighbours: The kernel's neighbour table: a phone it vouches for gets its private URL.
    ///   - logger: Where answers and refusals are logged.
    ///   - port: The PnP port (5060).
    ///   - onReady: Told which receive path is in use (`udp` or `packet`), or `off` when discovery cannot start.
    ///   - metrics: Where each SUBSCRIBE's fate is counted.
    public init(
        store: ProvisioningStore, catalog: ProvisioningCatalog, interfaces: [String]?, neighbours: (any NeighbourLookup)? = nil, logger: Logger,
        port: Int = 5060, metrics: PnPMetrics = PnPMetrics(),
        onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.catalog = catalog
        self.interfaces = interfaces
        self.neighbours = neighbours
        self.logger = logger
        self.port = port
        self.onReady = onReady
        self.metrics = metrics
    }

    public func run() async throws {
        let devices = try Self.devices(named: interfaces)
        guard !devices.isEmpty else {
            logger.error(
                "PnP discovery is off: no multicast-capable IPv4 interface\(interfaces.map { " among \($0.joined(separator: ", "))" } ?? "")")
            onReady("off")
            try? await gracefulShutdown()
            return
        }
        let responder = try await PnPResponder.start(store: store, catalog: catalog, neighbours: neighbours, logger: logger, metrics: metrics)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await responder.recordDiscoveries() }
            await listen(devices: devices, responder: responder)
            responder.close()
        }
    }

    private func listen(devices: [NIONetworkDevice], responder: PnPResponder) async {
        // Path 1: the port is free (no Asterisk here): an ordinary socket joined to the group.
        if let channel = try? await Self.bindGroupSocket(port: port, devices: devices, responder: responder) {
            logger.info("PnP discovery listening on 224.0.1.75:\(port) (\(devices.map(\.name).joined(separator: ", ")))")
            onReady("udp")
            await withTaskCancellationOrGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onCancelOrGracefulShutdown: {
                channel.close(promise: nil)
            }
            return
        }
        // Path 2: beside Asterisk, through a packet socket that joins only at the link layer.
        #if canImport(Glibc)
            let receiver: PacketSocketReceiver
            do {
                receiver = try PacketSocketReceiver(interfaces: devices.map(\.name))
            } catch {
                logger.error("PnP discovery is off: UDP \(port) is taken (Asterisk?) and \(error)")
                onReady("off")
                try? await gracefulShutdown()
                return
            }
            logger.info(
                "PnP discovery listening on 224.0.1.75:\(port) through a packet socket beside the port's owner (\(devices.map(\.name).joined(separator: ", ")))"
            )
            onReady("packet")
            await withTaskCancellationOrGracefulShutdownHandler {
                await receiver.run(port: UInt16(port)) { datagram in
                    responder.receive(datagram.payload, from: datagram.sourceIP, port: datagram.sourcePort)
                }
            } onCancelOrGracefulShutdown: {
                receiver.stop()
            }
        #endif
    }

    static func devices(named names: [String]?) throws -> [NIONetworkDevice] {
        let all = try System.enumerateDevices().filter {
            $0.multicastSupported && $0.address?.protocol == .inet && (names == nil || names!.contains($0.name))
        }
        var seen = Set<String>()
        return all.filter { seen.insert($0.name).inserted }
    }

    static func bindGroupSocket(port: Int, devices: [NIONetworkDevice], responder: PnPResponder) async throws -> any Channel {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PnPGroupHandler(responder: responder)) }
            }
            .bind(host: "0.0.0.0", port: port)
            .get()
        do {
            let group = try SocketAddress(ipAddress: "224.0.1.75", port: port)
            guard let multicast = channel as? any MulticastChannel else { throw DiscoveryError.interface("udp", "no multicast support") }
            for device in devices { try await multicast.joinGroup(group, device: device).get() }
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }
}

/// Hands datagrams from the group socket to the responder.
final class PnPGroupHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let responder: PnPResponder

    init(responder: PnPResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let ip = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port else { return }
        responder.receive(Array(envelope.data.readableBytesView), from: ip, port: port)
    }
}
