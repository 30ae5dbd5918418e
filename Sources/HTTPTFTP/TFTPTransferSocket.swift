import NIOCore
import NIOPosix

/// Opens the sockets of one transfer: a new port (the server's transfer ID, RFC 1350 §4) connected to the client,
/// and beside it, on the same port, an unconnected socket that answers strays.
///
/// Connected, the kernel keeps the route to the client instead of looking it up for every block, and delivers only
/// the client's datagrams; a datagram from any other source finds the stray socket, which answers ERROR 5.
enum TFTPTransferSocket {
    /// - Returns: The transfer's channel, active and connected, with the handler `makeHandler` built in its pipeline.
    ///   Closing it closes the stray socket too.
    static func open(
        host: String, client: SocketAddress, eventLoop: any EventLoop,
        makeHandler: @escaping @Sendable () -> TFTPTransferHandler
    ) -> EventLoopFuture<any Channel> {
        // Bound first without SO_REUSEADDR, so the kernel picks a port that no other socket holds; the option is
        // set afterwards only so that the stray socket may share this one port.
        DatagramBootstrap(group: eventLoop).bind(host: host, port: 0).flatMap { transfer in
            transfer.setOption(.socketOption(.so_reuseaddr), value: 1).flatMap {
                DatagramBootstrap(group: eventLoop)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    .channelInitializer { stray in
                        stray.eventLoop.makeCompletedFuture { try stray.pipeline.syncOperations.addHandler(TFTPStrayHandler()) }
                    }
                    .bind(host: host, port: transfer.localAddress?.port ?? 0)
            }
            .flatMap { stray in
                transfer.closeFuture.whenComplete { _ in stray.close(promise: nil) }
                return transfer.connect(to: client).flatMapThrowing {
                    try transfer.pipeline.syncOperations.addHandler(makeHandler())
                    return transfer
                }
            }
            .flatMapErrorThrowing { error in
                transfer.close(promise: nil)
                throw error
            }
        }
    }
}
