import NIOCore

/// Answers ERROR 5 to anything that reaches a transfer's port from a source other than the client.
///
/// The transfer's own socket is connected to the client, so the kernel hands every other source's datagram to
/// this unconnected socket on the same port instead (RFC 1350 §4: a stray gets an error, the transfer goes on).
final class TFTPStrayHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let source = unwrapInboundIn(data).remoteAddress
        guard let ip = source.ipAddress, !TFTPRequestHandler.isGroupAddress(ip) else { return }
        var buffer = context.channel.allocator.buffer(capacity: 24)
        TFTPPacket.error(code: .unknownTransferID, message: "Unknown transfer ID").encode(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: source, data: buffer)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP error for an earlier reply, reported on this socket: nothing to do; the socket stays for later strays.
    }
}
