import Dispatch
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs each transfer on a thread of its own, with blocking calls on its connected socket.
///
/// TFTP is lock-step: every block waits for its ACK, so a block's work is one receive and one send. With blocking
/// calls that is all it costs; on an event loop each block also paid for a readiness wait, the sender's address
/// decoded, and a channel pipeline's read and write, which `Benchmarks/tftp-transfer.sh` measured at more than
/// the kernel's own work for the block. A thread is started per transfer and ends with it, so there are as many
/// as transfers running (``TFTPLimits`` caps them), and none while TFTP is idle.
final class TFTPTransferRunner: Sendable {
    /// The longest a receive blocks: how soon a transfer notices that the server is stopping.
    static let receivePoll = Duration.seconds(1)

    private let stopping = Atomic<Bool>(false)
    private let running = DispatchGroup()

    /// Ends every transfer at its next block, or within ``receivePoll`` if it is waiting, and waits for their threads.
    func stop() async {
        stopping.store(true, ordering: .relaxed)
        await withCheckedContinuation { continuation in running.notify(queue: .global()) { continuation.resume() } }
    }

    enum Outcome: Equatable {
        case completed
        /// The client ended the transfer with an ERROR packet.
        case aborted
        case failed(String)
        /// The transfer's sockets could not be opened.
        case notStarted(String)
    }

    /// Opens the transfer's sockets on `host` and sends `transfer` to `client` on a thread of the pool;
    /// `completion` is called once, when it has ended or could not start.
    func start(
        _ transfer: TFTPTransfer, from host: String, to client: SocketAddress, eventLoop: any EventLoop, logger: Logger,
        completion: @escaping @Sendable (Outcome) -> Void
    ) {
        let socket: TFTPTransferSocket
        do {
            socket = try TFTPTransferSocket(host: host, receiveTimeout: Self.receivePoll)
        } catch {
            return completion(.notStarted("\(error)"))
        }
        // Beside the transfer's socket, on its port, an unconnected one takes the datagrams of every other source.
        DatagramBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { stray in
                stray.eventLoop.makeCompletedFuture { try stray.pipeline.syncOperations.addHandler(TFTPStrayHandler()) }
            }
            // An address, not a host name: binding by name would ask the resolver for every transfer.
            .bind(to: socket.address)
            .flatMapThrowing { stray in
                do {
                    try socket.connect(to: client)
                } catch {
                    stray.close(promise: nil)
                    throw error
                }
                return stray
            }
            .whenComplete { [self] result in
                switch result {
                case .success(let stray):
                    running.enter()
                    do {
                        try DetachedThread.start(named: "TFTP-transfer") { [self] in
                            defer {
                                stray.close(promise: nil)
                                running.leave()
                            }
                            var transfer = transfer
                            completion(send(&transfer, on: socket, client: client, logger: logger))
                        }
                    } catch {
                        stray.close(promise: nil)
                        running.leave()
                        completion(.notStarted("\(error)"))
                    }
                case .failure(let error):
                    completion(.notStarted("\(error)"))
                }
            }
    }

    private func send(_ transfer: inout TFTPTransfer, on socket: TFTPTransferSocket, client: SocketAddress, logger: Logger) -> Outcome {
        let ackTimeout = transfer.ackTimeout
        var action = transfer.start()
        var deadline = ContinuousClock.now
        var aborted = false
        var buffer = ByteBuffer()
        do {
            while true {
                switch action {
                case .send(let datagrams):
                    for datagram in datagrams { try socket.send(datagram) }
                    deadline = .now + ackTimeout
                case .finished:
                    return aborted ? .aborted : .completed
                case .failed(let reason):
                    return .failed(reason)
                case .none:
                    break
                }
                action = .none
                // Wait for a packet that moves the transfer on, or for the deadline. Anything else, an old ACK or
                // garbage, is read and dropped without moving the deadline, so a chatty client cannot hold a transfer open.
                while action == .none {
                    // Checked before every receive, not only on timeouts, so a stopping server does not wait out a download.
                    if stopping.load(ordering: .relaxed) { return .failed("the server is stopping") }
                    switch try socket.receive(into: &buffer) {
                    case .datagram:
                        switch try? TFTPPacket(parsing: buffer) {
                        case .acknowledgement(let block):
                            action = transfer.receiveAcknowledgement(block)
                        case .error(let code, let message):
                            // Code 8 after an OACK is a client probing the size (UEFI, some phones): not worth a warning.
                            logger.debug("TFTP client \(client) ended the transfer: \(code) \(message)")
                            aborted = true
                            action = transfer.receiveError()
                        default:
                            logger.debug("TFTP: unexpected packet from \(client) during a transfer")
                        }
                    case .timedOut:
                        break
                    }
                    if action == .none, ContinuousClock.now >= deadline { action = transfer.timeout() }
                }
            }
        } catch {
            // ECONNREFUSED here is the client's port gone: an ICMP error the connected socket reports.
            return .failed("\(error)")
        }
    }
}
