import NIOCore

/// One read transfer as a state machine: bytes and acknowledgements in, datagrams to send out.
///
/// No sockets and no clocks here: ``TFTPTransferRunner`` feeds it ACKs and timeouts and
/// sends what it returns. Block numbers roll over past 65535 (files over 32 MB
/// at 512-byte blocks), and an old or duplicate ACK is ignored rather than
/// answered, so the transfer never doubles its traffic.
struct TFTPTransfer {
    enum Action: Equatable {
        /// Encoded packets, in order.
        case send([ByteBuffer])
        case finished
        case failed(String)
        case none
    }

    private enum State {
        case awaitingOptionAck
        case sending
        case done
    }

    let file: TFTPBody
    let blockSize: Int
    let windowSize: Int
    let options: [TFTPOption]
    let maximumRetries: Int
    /// How long to wait for an ACK before sending again.
    let ackTimeout: Duration
    private var state: State
    /// Blocks acknowledged so far (absolute, not wrapped).
    private var acknowledged = 0
    private var retries = 0
    /// The last window's datagrams. Kept, and refilled in place: by the next ACK the runner has sent them and let go,
    /// so the array and the buffers are this transfer's alone again and a block costs no allocation.
    private var packets: [ByteBuffer] = []

    /// The number of DATA blocks, counting the empty final block of a file whose size is a multiple of the block size.
    var blockCount: Int { TFTPBody.blockCount(size: file.size, blockSize: blockSize) }

    init(
        file: TFTPBody, blockSize: Int = 512, windowSize: Int = 1, options: [TFTPOption] = [], timeout: Duration = .seconds(1),
        maximumRetries: Int = 5
    ) {
        self.ackTimeout = timeout
        self.file = file.prepared(blockSize: blockSize)
        self.blockSize = blockSize
        self.windowSize = windowSize
        self.options = options
        self.maximumRetries = maximumRetries
        self.state = options.isEmpty ? .sending : .awaitingOptionAck
    }

    mutating func start() -> Action {
        switch state {
        case .awaitingOptionAck:
            var datagram = ByteBuffer()
            TFTPPacket.optionAcknowledgement(options).encode(into: &datagram)
            return .send([datagram])
        case .sending: return window()
        case .done: return .none
        }
    }

    mutating func receiveAcknowledgement(_ block: UInt16) -> Action {
        switch state {
        case .done:
            return .none
        case .awaitingOptionAck:
            guard block == 0 else { return .none }
            state = .sending
            retries = 0
            return window()
        case .sending:
            // The ACK names one of the blocks in flight, by its low 16 bits.
            let inFlight = (acknowledged + 1)...min(acknowledged + windowSize, blockCount)
            guard let absolute = inFlight.first(where: { UInt16(truncatingIfNeeded: $0) == block }) else { return .none }
            acknowledged = absolute
            retries = 0
            if acknowledged == blockCount {
                state = .done
                return .finished
            }
            return window()
        }
    }

    mutating func timeout() -> Action {
        guard state != .done else { return .none }
        retries += 1
        guard retries <= maximumRetries else {
            state = .done
            return .failed("no acknowledgement after \(maximumRetries) retransmissions")
        }
        return start()
    }

    mutating func receiveError() -> Action {
        state = .done
        return .finished
    }

    /// The blocks in flight; a block that cannot be read ends the transfer.
    private mutating func window() -> Action {
        let first = acknowledged + 1
        let last = min(acknowledged + windowSize, blockCount)
        guard first <= last else { return .send([]) }
        let count = last - first + 1
        if packets.count > count { packets.removeLast(packets.count - count) }
        for (slot, block) in zip(0..., first...last) {
            var datagram = ByteBuffer()
            if slot < packets.count { swap(&datagram, &packets[slot]) }
            guard file.datagram(block: block, blockSize: blockSize, into: &datagram) else {
                state = .done
                return .failed("cannot read block \(block) of the file")
            }
            if slot < packets.count { packets[slot] = datagram } else { packets.append(datagram) }
        }
        return .send(packets)
    }
}

extension TFTPTransfer {
    /// The largest block size offered: a jumbo block gains nothing on a LAN and costs memory per transfer.
    static let maximumBlockSize = 16384
    static let maximumWindowSize = 64

    /// Builds a transfer for `file` from the options a client asked for (RFC 2347-2349, 7440).
    /// Only options that are asked for and understood are acknowledged; bad values are ignored, as if not asked.
    init(file: TFTPBody, requested: [TFTPOption]) {
        var blockSize = 512
        var windowSize = 1
        var timeout = Duration.seconds(1)
        var accepted: [TFTPOption] = []
        for option in requested {
            switch option.name {
            case "blksize":
                guard let value = Int(option.value), (8...65464).contains(value) else { continue }
                blockSize = min(value, Self.maximumBlockSize)
                accepted.append(TFTPOption(name: "blksize", value: String(blockSize)))
            case "tsize":
                accepted.append(TFTPOption(name: "tsize", value: String(file.size)))
            case "timeout":
                guard let value = Int(option.value), (1...255).contains(value) else { continue }
                timeout = .seconds(value)
                accepted.append(TFTPOption(name: "timeout", value: String(value)))
            case "windowsize":
                guard let value = Int(option.value), (1...65535).contains(value) else { continue }
                windowSize = min(value, Self.maximumWindowSize)
                accepted.append(TFTPOption(name: "windowsize", value: String(windowSize)))
            default:
                continue
            }
        }
        self.init(file: file, blockSize: blockSize, windowSize: windowSize, options: accepted, timeout: timeout)
    }

    /// RFC 1350 netascii: line ends as CR LF, a bare CR as CR NUL.
    static func netascii(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"): out += [13, 10]
            case 13: out += [13, 0]
            default: out.append(byte)
            }
        }
        return out
    }
}
