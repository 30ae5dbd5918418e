import Logging
import NIOCore

/// Runs one transfer on its own UDP port (the server's transfer ID), on a socket connected to the client's port.
final class TFTPTransferHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = ByteBuffer

    private var transfer: TFTPTransfer
    private let client: SocketAddress
    private let logger: Logger
    private let metrics: ServingMetrics?
    /// The file's size when it is firmware, whose bytes are counted once the transfer completes.
    private let firmwareSize: Int?
    /// Whether the client ended the transfer with an ERROR packet.
    private var aborted = false
    private var timer: Scheduled<Void>?
    /// When the last packets went out; the one timer checks against it instead of being rescheduled per block.
    private var lastSent = NIODeadline.now()

    init(transfer: TFTPTransfer, client: SocketAddress, logger: Logger, metrics: ServingMetrics? = nil, firmwareSize: Int? = nil) {
        self.transfer = transfer
        self.client = client
        self.logger = logger
        self.metrics = metrics
        self.firmwareSize = firmwareSize
    }

    /// Added once the socket is connected, so the transfer starts here rather than on `channelActive`.
    func handlerAdded(context: ChannelHandlerContext) {
        perform(transfer.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        switch try? TFTPPacket(parsing: envelope.data) {
        case .acknowledgement(let block):
            perform(transfer.receiveAcknowledgement(block), context: context)
        case .error(let code, let message):
            // Code 8 after an OACK is a client probing the size (UEFI, some phones): not worth a warning.
            logger.debug("TFTP client \(client) ended the transfer: \(code) \(message)")
            aborted = true
            perform(transfer.receiveError(), context: context)
        default:
            logger.debug("TFTP: unexpected packet from \(client) during a transfer")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("TFTP transfer to \(client) failed: \(error)")
        context.close(promise: nil)
    }

    private func perform(_ action: TFTPTransfer.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            return
        case .send(let packets):
            for datagram in packets { context.write(wrapOutboundOut(datagram), promise: nil) }
            context.flush()
            lastSent = .now()
            if timer == nil { armTimer(context: context, at: lastSent + TimeAmount(transfer.ackTimeout)) }
        case .finished:
            metrics?.transfer(aborted ? .aborted : .completed)
            if !aborted, let firmwareSize { metrics?.firmwareSent(Int64(firmwareSize)) }
            timer?.cancel()
            timer = nil
            context.close(promise: nil)
        case .failed(let reason):
            logger.info("TFTP transfer to \(client) abandoned: \(reason)")
            metrics?.transfer(.failed)
            timer?.cancel()
            timer = nil
            context.close(promise: nil)
        }
    }

    private func armTimer(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            let due = handler.lastSent + TimeAmount(handler.transfer.ackTimeout)
            if NIODeadline.now() < due {
                // Progress since the timer was set: wait out the rest.
                handler.armTimer(context: context, at: due)
            } else {
                handler.perform(handler.transfer.timeout(), context: context)
            }
        }
    }
}
