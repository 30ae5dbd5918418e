import Metrics
import NIOCore
import Provisioning

/// What the HTTP connections of one event loop share: the responses to phones' own files, kept per
/// snapshot, and the loop's lane in the ``FetchRecorder``.
///
/// A mass reboot asks for the same files over and over from every loop at once. Reading them from the
/// snapshot would have every request touch the reference counts of objects all loops share (the snapshot,
/// its tables, the file), and each such write moves a cache line from one core to the other. A table per
/// loop is touched by that loop alone.
final class HTTPLoopState: @unchecked Sendable {
    // @unchecked: the server hands each connection the state of the loop it runs on, so every mutable
    // field below is used from that loop only (asserted in debug builds).
    let eventLoop: any EventLoop
    /// This loop's lane in the fetch recorder.
    let lane: Int
    /// Where the server counts its answers; each kept response holds its counter.
    private let metrics: ServingMetrics
    private var generation = -1
    private var responses: [Substring: OwnFileResponse] = [:]

    init(eventLoop: any EventLoop, lane: Int, metrics: ServingMetrics) {
        self.eventLoop = eventLoop
        self.lane = lane
        self.metrics = metrics
    }

    /// The kept-alive GET response for `path` when it names a phone's own file in `published`
    /// (``ProvisioningSnapshot/ownFile(named:)``), made on the loop's first request for it; nil for any
    /// other path, which the full answer decides.
    func ownFileResponse(path: Substring, published: PublishedSnapshot, allocator: ByteBufferAllocator) -> OwnFileResponse? {
        eventLoop.assertInEventLoop()
        if generation != published.generation {
            responses.removeAll(keepingCapacity: true)
            generation = published.generation
        }
        if let response = responses[path] { return response }
        guard path.utf8.first == UInt8(ascii: "/"), let own = published.snapshot.ownFile(named: path.dropFirst()) else { return nil }
        let vendor = own.file.vendor ?? ServingMetrics.vendor(path: path, mac: own.mac, snapshot: published.snapshot)
        let response = OwnFileResponse(
            mac: own.mac, served: metrics.requestCounter(status: 200, vendor: vendor),
            buffer: EncodedResponse.keptAliveGet(of: own.file, allocator: allocator))
        // Keyed by a copy: the request's own string goes away with the request.
        responses[Substring(String(path))] = response
        return response
    }
}

/// A phone's own file, ready to be written to a kept-alive connection.
final class OwnFileResponse {
    let mac: MACAddress
    /// The `200` counter of the phone's vendor.
    let served: Counter?
    /// Status line, headers and body.
    let buffer: ByteBuffer

    init(mac: MACAddress, served: Counter?, buffer: ByteBuffer) {
        self.mac = mac
        self.served = served
        self.buffer = buffer
    }
}
