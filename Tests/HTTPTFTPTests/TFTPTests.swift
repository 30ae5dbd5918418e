import Foundation
import Logging
import NIOCore
import Provisioning
import ServiceLifecycle
import TestHTTP
import Testing

@testable import HTTPTFTP

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct TFTPPacketTests {
    /// The byte-exact packets of the reference file, by their heading.
    static func vectors() throws -> [String: [UInt8]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/tftp_packets_hex.txt")
        var result: [String: [UInt8]] = [:]
        var heading: String?
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("## ") {
                heading = String(line.dropFirst(3))
            } else if let current = heading, !line.hasPrefix("#"), line.first?.isHexDigit == true {
                result[current] = line.split(separator: " ").compactMap { UInt8($0, radix: 16) }
                heading = nil
            }
        }
        return result
    }

    func encoded(_ packet: TFTPPacket) -> [UInt8] {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func referencePacketsRoundTrip() throws {
        let vectors = try Self.vectors()
        let rrq = try #require(vectors["RRQ octet, no options"])
        #expect(try TFTPPacket(parsing: ByteBuffer(bytes: rrq)) == .readRequest(filename: "001565aabbcc.cfg", mode: "octet", options: []))
        let withOptions = try #require(vectors["RRQ with options blksize=1468 tsize=0 timeout=5 windowsize=8"])
        guard case .readRequest(let name, _, let options) = try TFTPPacket(parsing: ByteBuffer(bytes: withOptions)) else {
            Issue.record("not a read request")
            return
        }
        #expect(name == "y000000000028.cfg")
        #expect(options.map(\.name) == ["blksize", "tsize", "timeout", "windowsize"])
        let expected: [(String, TFTPPacket)] = [
            (
                "OACK blksize=1468 tsize=1234",
                .optionAcknowledgement([TFTPOption(name: "blksize", value: "1468"), TFTPOption(name: "tsize", value: "1234")])
            ),
            ("ACK block 0 (client acknowledges OACK on RRQ)", .acknowledgement(block: 0)),
            (
                "DATA block 1 carrying a whole 4-byte file \"#!ve\" (4 < blksize, so it is also the final block)",
                .data(block: 1, payload: ByteBuffer(string: "#!ve"))
            ),
            ("ERROR 1 File not found", .error(code: .fileNotFound, message: "File not found")),
            (
                "ERROR 2 Access violation (e.g. WRQ on a read-only server, path traversal)",
                .error(code: .accessViolation, message: "Access violation")
            ),
            ("ERROR 4 Illegal TFTP operation", .error(code: .illegalOperation, message: "Illegal TFTP operation")),
            ("ERROR 5 Unknown transfer ID (packet from wrong source port)", .error(code: .unknownTransferID, message: "Unknown transfer ID")),
        ]
        for (heading, packet) in expected {
            let bytes = try #require(vectors[heading], "\(heading)")
            #expect(encoded(packet) == bytes, "\(heading)")
            #expect(try TFTPPacket(parsing: ByteBuffer(bytes: bytes)) == packet, "\(heading)")
        }
    }

    @Test func garbageIsRefused() {
        for bytes: [UInt8] in [[], [0], [0, 9], [0, 1, 0x41], [0, 1, 0x41, 0, 0x78, 0], [0, 4, 0, 1, 9]] {
            #expect(throws: TFTPPacketError.self) { try TFTPPacket(parsing: ByteBuffer(bytes: bytes)) }
        }
    }
}

@Suite struct TFTPTransferTests {
    @Test func optionsAreAcknowledgedOnlyWhenAskedAndSane() {
        let transfer = TFTPTransfer(
            file: TFTPBody(Array(repeating: 1, count: 3000)),
            requested: [
                TFTPOption(name: "blksize", value: "1468"), TFTPOption(name: "tsize", value: "0"), TFTPOption(name: "bogus", value: "1"),
                TFTPOption(name: "timeout", value: "999"),
            ])
        #expect(transfer.options == [TFTPOption(name: "blksize", value: "1468"), TFTPOption(name: "tsize", value: "3000")])
        #expect(transfer.blockSize == 1468)
        #expect(TFTPTransfer(file: TFTPBody([]), requested: []).options.isEmpty)
    }

    @Test func exactMultipleEndsWithAnEmptyBlockAndDuplicatesAreIgnored() {
        var transfer = TFTPTransfer(file: TFTPBody(Array(repeating: 7, count: 1024)))
        #expect(transfer.start() == .send([encoded(.data(block: 1, payload: ByteBuffer(bytes: Array(repeating: 7, count: 512))))]))
        #expect(transfer.receiveAcknowledgement(1) == .send([encoded(.data(block: 2, payload: ByteBuffer(bytes: Array(repeating: 7, count: 512))))]))
        #expect(transfer.receiveAcknowledgement(1) == .none)
        #expect(transfer.receiveAcknowledgement(2) == .send([encoded(.data(block: 3, payload: ByteBuffer()))]))
        #expect(transfer.receiveAcknowledgement(3) == .finished)
    }

    @Test func blockNumbersRollOverPast65535() {
        // 70,000 blocks of 8 bytes: the block number wraps to 0 and goes on.
        var transfer = TFTPTransfer(file: TFTPBody(Array(repeating: 0, count: 8 * 70_000 - 1)), blockSize: 8)
        _ = transfer.start()
        var acknowledged = 0
        var last = TFTPTransfer.Action.none
        for block in 1...70_000 {
            last = transfer.receiveAcknowledgement(UInt16(truncatingIfNeeded: block))
            if last != .none { acknowledged += 1 }
        }
        #expect(acknowledged == 70_000)
        #expect(last == .finished)
    }

    @Test func retransmitsThenGivesUp() {
        var transfer = TFTPTransfer(
            file: TFTPBody([1, 2, 3]), options: [TFTPOption(name: "tsize", value: "3")], maximumRetries: 2)
        let oack = TFTPTransfer.Action.send([encoded(.optionAcknowledgement([TFTPOption(name: "tsize", value: "3")]))])
        #expect(transfer.start() == oack)
        #expect(transfer.timeout() == oack)
        #expect(transfer.timeout() == oack)
        guard case .failed = transfer.timeout() else {
            Issue.record("must give up after the retries")
            return
        }
    }

    @Test func windowsSendSeveralBlocks() {
        var transfer = TFTPTransfer(file: TFTPBody(Array(repeating: 1, count: 20)), blockSize: 8, windowSize: 4)
        guard case .send(let packets) = transfer.start() else { return }
        #expect(packets.count == 3)
        #expect(packets.last == encoded(.data(block: 3, payload: ByteBuffer(bytes: [1, 1, 1, 1]))))
        #expect(transfer.receiveAcknowledgement(3) == .finished)
    }

    /// A body in memory is sent from its laid-out datagrams and a file from disk is read into each one; both must put
    /// the same bytes on the wire as encoding every DATA packet, at every block size, on the last block too.
    @Test func memoryAndFileBodiesSendTheEncodedBlocks() throws {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tftp-body-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for blockSize in [8, 512, 1000, 1468, 5000, 8192] {
            let file = try #require(TFTPBody(path: path, size: bytes.count))
            for body in [TFTPBody(bytes), file] {
                var transfer = TFTPTransfer(file: body, blockSize: blockSize)
                var action = transfer.start()
                for block in 1...(bytes.count / blockSize + 1) {
                    let start = (block - 1) * blockSize
                    let payload = ByteBuffer(bytes: bytes[start..<min(start + blockSize, bytes.count)])
                    #expect(action == .send([encoded(.data(block: UInt16(block), payload: payload))]), "block \(block) of \(blockSize)")
                    action = transfer.receiveAcknowledgement(UInt16(block))
                }
                #expect(action == .finished)
            }
        }
    }

    @Test func netasciiLineEnds() {
        #expect(TFTPTransfer.netascii(Array("a\nb\rc".utf8)) == [97, 13, 10, 98, 13, 0, 99])
    }

    private func encoded(_ packet: TFTPPacket) -> ByteBuffer {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        return buffer
    }
}

/// The TFTP server on a real socket, fetched with curl.
@Suite struct TFTPServerTests {
    @Test func curlGetsTheSameBytesOverTFTPAsOverHTTP() async throws {
        let (directory, store) = try bobsStore(password: "pw<&>204", phones: ["001565aabbcc", "c074adaabbcc"])
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.set(.macBlacklist, to: "c074adaabbcc")
        // A firmware image with line-end bytes in it: sent as stored, read from disk block by block.
        var image = [UInt8](repeating: 0, count: 200_000)
        for index in image.indices { image[index] = UInt8(truncatingIfNeeded: index &* 7) }
        image[1000...1003] = [13, 10, 13, 0]
        let imageFile = directory.appendingPathComponent("T46S-66.rom")
        try Data(image).write(to: imageFile)
        let firmware = try FirmwareRepository(store: store).add(imageFile, vendor: .yealink)
        let logger = Logger(label: "tftp-test")
        let catalog = try await refreshedCatalog(store, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let http = ProvisioningHTTPServer(host: "127.0.0.1", port: 0, catalog: catalog, recorder: nil, logger: logger) {
            continuation.yield($0.port ?? 0)
        }
        let tftp = TFTPServer(host: "127.0.0.1", port: 0, catalog: catalog, recorder: nil, logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(services: [http, tftp], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let first = try #require(await iterator.next())
            let second = try #require(await iterator.next())
            // Both servers report; tell them apart by asking HTTP.
            let (httpPort, tftpPort) =
                (try? await Curl.fetch("http://127.0.0.1:\(first)/", ["--max-time", "1"]))?.status == 200 ? (first, second) : (second, first)
            let overHTTP = try await Curl.fetch("http://127.0.0.1:\(httpPort)/001565aabbcc.cfg")
            #expect(overHTTP.status == 200)
            for extra in [[String](), ["--tftp-blksize", "1468"], ["--tftp-blksize", "8"]] {
                let overTFTP = try await Curl.raw(["tftp://127.0.0.1:\(tftpPort)/001565aabbcc.cfg"] + extra)
                #expect(overTFTP.status == 0, "\(extra)")
                #expect(overTFTP.body == overHTTP.body, "\(extra)")
            }
            // A packet from a stray port gets ERROR 5 and the transfer goes on (RFC 1350 §4).
            let client = try UDPSocket()
            let stray = try UDPSocket()
            try client.send([0, 1] + Array("001565aabbcc.cfg".utf8) + [0] + Array("octet".utf8) + [0], to: tftpPort)
            let (firstBlock, transferPort) = try client.receive()
            #expect(Array(firstBlock.prefix(4)) == [0, 3, 0, 1])
            #expect(transferPort != tftpPort)
            try stray.send([0, 4, 0, 1], to: transferPort)
            #expect(try stray.receive().0 == [0, 5, 0, 5] + Array("Unknown transfer ID".utf8) + [0])
            try client.send([0, 4, 0, 1], to: transferPort)
            let (secondBlock, _) = try client.receive()
            #expect(Array(secondBlock.prefix(4)) == [0, 3, 0, 2])
            // Debian's tftp-hpa client, where installed (CI installs it).
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/tftp") {
                let target = directory.appendingPathComponent("via-tftp-hpa.cfg")
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/tftp")
                process.arguments = ["-m", "binary", "127.0.0.1", String(tftpPort), "-c", "get", "001565aabbcc.cfg", target.path]
                try process.run()
                process.waitUntilExit()
                #expect(try String(contentsOf: target, encoding: .utf8) == overHTTP.body)
            }
            for extra in [[String](), ["--tftp-blksize", "16384"]] {
                let fetched = directory.appendingPathComponent("fw-\(extra.count).rom")
                #expect(try await Curl.raw(["-o", fetched.path, "tftp://127.0.0.1:\(tftpPort)\(firmware.path)"] + extra).status == 0)
                #expect(try Data(contentsOf: fetched) == Data(image), "\(extra)")
            }
            #expect(try await Curl.raw(["tftp://127.0.0.1:\(tftpPort)/001565ffffff.cfg"]).status != 0)
            #expect(try await Curl.raw(["tftp://127.0.0.1:\(tftpPort)/cfgc074adaabbcc.xml"]).status != 0)
            let upload = directory.appendingPathComponent("up.cfg")
            try "x".write(to: upload, atomically: true, encoding: .utf8)
            #expect(try await Curl.raw(["-T", upload.path, "tftp://127.0.0.1:\(tftpPort)/001565aabbcc.cfg"]).status != 0)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// A client that stops acknowledging: its transfer retransmits on time however much else the client sends, and
/// does not hold up the server's shutdown.
@Suite struct TFTPStalledTransferTests {
    @Test func aStalledTransferRetransmitsDespiteChatterAndEndsWithTheServer() async throws {
        let (directory, store) = try bobsStore(phones: ["001565aabbcc"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "tftp-test")
        let catalog = try await refreshedCatalog(store, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let tftp = TFTPServer(host: "127.0.0.1", port: 0, catalog: catalog, recorder: nil, logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(services: [tftp], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            // Open until the server has stopped: a closed port would end the transfer with an ICMP error first.
            let client = try UDPSocket()
            let retransmitted: Duration? = try await Curl.offPool {
                var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
                setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                try client.send([0, 1] + Array("001565aabbcc.cfg".utf8) + [0] + Array("octet".utf8) + [0], to: port)
                var first: ([UInt8], Int)?
                for _ in 0..<10 where first == nil { first = try? client.receive() }
                guard let (block, transferPort) = first, Array(block.prefix(4)) == [0, 3, 0, 1] else { return nil }
                let sent = ContinuousClock.now
                // No ACK for block 1: an old ACK and garbage instead, every 200 ms, none of which moves the transfer on.
                while ContinuousClock.now - sent < .seconds(3) {
                    try client.send([0, 4, 0, 0], to: transferPort)
                    try client.send([0, 9, 1, 2], to: transferPort)
                    if let (again, _) = try? client.receive(), Array(again.prefix(4)) == [0, 3, 0, 1] { return ContinuousClock.now - sent }
                }
                return nil
            }
            let after = try #require(retransmitted, "block 1 was not sent again within 3 s")
            #expect(after >= .milliseconds(900), "block 1 sent again after only \(after)")
            // The transfer is still waiting for its ACK (five tries of a second each); the server stops anyway.
            let stopping = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            let stopped = ContinuousClock.now - stopping
            #expect(stopped < .milliseconds(2500), "the server took \(stopped) to stop with a transfer stalled")
            withExtendedLifetime(client) {}
        }
    }
}

/// The fetch guard's wait for a late neighbour entry, over TFTP. Loopback is never guarded, so the client
/// sends from this host's own non-loopback address, which the guard sees as a LAN requester.
@Suite struct TFTPNeighbourWaitTests {
    static let localAddress = nonLoopbackIPv4()

    @Test(.enabled(if: localAddress != nil, "no non-loopback IPv4 address on this host to send from"))
    func aReadRequestWaitsForTheRequestersNeighbourEntry() async throws {
        let ip = try #require(Self.localAddress)
        let (directory, store) = try bobsStore(phones: ["001565aabbcc", "001565ddeeff"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "tftp-test")
        let catalog = try await refreshedCatalog(store, logger: logger)
        // The cache learns this host's address as the phone 150 ms after it is first asked.
        let neighbours = LateNeighbours(entries: [ip: try MACAddress(parsing: "001565aabbcc")], after: .milliseconds(150))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let tftp = TFTPServer(host: ip, port: 0, catalog: catalog, recorder: nil, policy: FetchPolicy(neighbours: neighbours), logger: logger) {
            continuation.yield($0)
        }
        let group = ServiceGroup(services: [tftp], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            func firstReply(_ file: String) async throws -> (opcode: UInt16, waited: Duration) {
                try await Curl.offPool {
                    let socket = try UDPSocket()
                    let started = ContinuousClock.now
                    try socket.send([0, 1] + Array(file.utf8) + [0] + Array("octet".utf8) + [0], to: port, host: ip)
                    let (reply, transferPort) = try socket.receive()
                    let waited = ContinuousClock.now - started
                    // Ends a transfer that started, so it does not retransmit after the test.
                    if reply.first == 0, reply.dropFirst().first == 3 { try socket.send([0, 5, 0, 0, 0], to: transferPort, host: ip) }
                    return (UInt16(reply[0]) << 8 | UInt16(reply[1]), waited)
                }
            }
            let own = try await firstReply("001565aabbcc.cfg")
            #expect(own.opcode == 3, "the phone's own file did not start (opcode \(own.opcode))")
            #expect(own.waited >= .milliseconds(100), "answered after \(own.waited), before the entry could have arrived")
            let other = try await firstReply("001565ddeeff.cfg")
            #expect(other.opcode == 5, "another phone's file was not refused (opcode \(other.opcode))")
            #expect(other.waited >= .milliseconds(300), "refused after \(other.waited), before its waits were spent")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// The first IPv4 address of this host that is not loopback.
    static func nonLoopbackIPv4() -> String? {
        let addresses = ((try? System.enumerateDevices()) ?? []).compactMap(\.address)
        return addresses.first { $0.protocol == .inet && $0.ipAddress.map { !$0.hasPrefix("127.") } == true }?.ipAddress
    }
}

/// A catalog built once from `store`, as the daemon's refresher builds it.
/// A store in a new temporary directory (the caller removes it) with Bob's account, extension 204, on each of `phones`.
func bobsStore(password: String = "pw204", phones: [String]) throws -> (directory: URL, store: ProvisioningStore) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tftp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.10")
    try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: password, displayName: "Bob"))
    for mac in phones {
        try store.addDevice(mac: MACAddress(parsing: mac), vendor: nil, model: nil, templateName: nil, extensionNumber: "204", actor: "t")
    }
    return (directory, store)
}

func refreshedCatalog(_ store: ProvisioningStore, logger: Logger) async throws -> ProvisioningCatalog {
    let catalog = ProvisioningCatalog()
    let refresher = CatalogRefresher(
        catalog: catalog, builder: SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)), store: store,
        logger: logger)
    try await refresher.refresh()
    return catalog
}

/// A plain blocking UDP socket with a 2 s receive timeout.
final class UDPSocket: Sendable {
    let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to port: Int, host: String = "127.0.0.1") throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == bytes.count else { throw RawSocket.Failure(what: "sendto") }
    }

    func receive() throws -> ([UInt8], Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
        }
        guard count >= 0 else { throw RawSocket.Failure(what: "recvfrom timed out") }
        return (Array(buffer[..<count]), Int(UInt16(bigEndian: address.sin_port)))
    }
}
