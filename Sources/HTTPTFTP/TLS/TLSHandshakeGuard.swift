import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Closes a TLS connection whose handshake has not completed within the timeout, and holds
/// the connection's handshake slot (``HandshakeLimiter``) until the handshake ends either way.
final class TLSHandshakeGuard: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let limiter: HandshakeLimiter
    private let address: String
    private let timeout: TimeAmount
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var holdsSlot = true

    /// - Parameters:
    ///   - limiter: Where the slot, already taken for `address`, is given back.
    ///   - address: The peer's address.
    ///   - timeout: How long the handshake may take.
    ///   - logger: Where a timed-out handshake is noted.
    init(limiter: HandshakeLimiter, address: String, timeout: TimeAmount, logger: Logger) {
        self.limiter = limiter
        self.address = address
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let address = self.address
        let logger = self.logger
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            logger.info("TLS handshake from \(address) not completed within \(timeout.nanoseconds / 1_000_000_000) s: closed")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            finish()
            // Its work is done; later reads go straight to the HTTP decoder.
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func finish() {
        timer?.cancel()
        timer = nil
        if holdsSlot {
            holdsSlot = false
            limiter.release(address)
        }
    }
}
