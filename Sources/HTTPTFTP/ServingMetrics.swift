import Atomics
public import Metrics
import Provisioning

/// What the phones' transports count for `/metrics`: HTTP(S) fetches by vendor and status,
/// TFTP transfers by result, firmware bytes served, and the fetch guard's refusals.
///
/// Counters are made through swift-metrics once and held here, so a request increments an
/// atomic and never asks the metrics backend (which takes a lock) for its counter. The
/// vendor × status pairs are made on first use, each kept in a lock-free lazy slot; the
/// other label sets are small and fixed, so they are made up front and read as 0 until used.
public struct ServingMetrics: Sendable {
    /// The series this type records, with their help text.
    public static let descriptions: [String: String] = [
        configRequests: "Provisioning requests over HTTP and HTTPS, by the phone's vendor and the HTTP status answered.",
        tftpTransfers: "TFTP read requests, by how they ended.",
        firmwareBytes: "Bytes of firmware files sent to phones over HTTP, HTTPS and TFTP.",
        guardRefusals: "Provisioning requests refused by the ban list or the fetch guard, by reason.",
    ]
    static let configRequests = "autoprovision_config_requests_total"
    static let tftpTransfers = "autoprovision_tftp_transfers_total"
    static let firmwareBytes = "autoprovision_firmware_bytes_total"
    static let guardRefusals = "autoprovision_guard_refusals_total"

    /// The statuses the HTTP server answers with; each has a slot per vendor.
    static let statuses = [200, 206, 304, 400, 403, 404, 405, 416, 431, 503]
    /// The vendor label of requests that name no phone, or whose vendor cannot be told.
    static let unknownVendor = "unknown"

    private let requests: [CounterSlot]
    private let transfers: [TFTPResult: Counter]
    private let refusals: [GuardRefusal: Counter]
    private let firmware: Counter

    /// - Parameter factory: Where the counters are made; the bootstrapped system's by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        var requests: [CounterSlot] = []
        for vendor in [Vendor.yealink, .snom, .fanvil, .grandstream, .htek].map(\.rawValue) + [Self.unknownVendor] {
            for status in Self.statuses {
                // Labels in name order, as Prometheus prints them.
                requests.append(
                    CounterSlot(label: Self.configRequests, dimensions: [("status", String(status)), ("vendor", vendor)], factory: factory))
            }
        }
        self.requests = requests
        transfers = Dictionary(
            uniqueKeysWithValues: TFTPResult.allCases.map {
                ($0, Counter(label: Self.tftpTransfers, dimensions: [("result", $0.rawValue)], factory: factory))
            })
        refusals = Dictionary(
            uniqueKeysWithValues: GuardRefusal.allCases.map {
                ($0, Counter(label: Self.guardRefusals, dimensions: [("reason", $0.rawValue)], factory: factory))
            })
        firmware = Counter(label: Self.firmwareBytes, factory: factory)
    }

    /// Counts one answered HTTP request.
    /// - Parameters:
    ///   - status: The HTTP status sent.
    ///   - vendor: The vendor of the phone the file is for, nil when unknown.
    func request(status: Int, vendor: Vendor?) {
        requestCounter(status: status, vendor: vendor)?.increment()
    }

    /// The counter ``request(status:vendor:)`` increments, for a caller that counts one kind of answer often.
    func requestCounter(status: Int, vendor: Vendor?) -> Counter? {
        guard let statusIndex = Self.statuses.firstIndex(of: status) else { return nil }
        return requests[Self.slot(vendor) * Self.statuses.count + statusIndex].counter
    }

    /// The vendor's place in the table, in `Vendor.allCases` order; a switch, since `allCases` builds an array per call.
    private static func slot(_ vendor: Vendor?) -> Int {
        switch vendor {
        case .yealink: 0
        case .snom: 1
        case .fanvil: 2
        case .grandstream: 3
        case .htek: 4
        case nil: 5
        }
    }

    /// Counts one TFTP read request by how it ended.
    func transfer(_ result: TFTPResult) {
        transfers[result]?.increment()
    }

    /// Counts a request the ban list or the fetch guard refused.
    func refusal(_ reason: GuardRefusal) {
        refusals[reason]?.increment()
    }

    /// Adds firmware bytes sent.
    func firmwareSent(_ bytes: Int64) {
        firmware.increment(by: bytes)
    }
}

/// How a TFTP read request ended: the `result` label of `autoprovision_tftp_transfers_total`.
enum TFTPResult: String, CaseIterable, Sendable {
    /// Every block was acknowledged.
    case completed
    /// The client ended it with an ERROR packet (often a size probe after the option acknowledgement).
    case aborted
    /// The client stopped acknowledging, or the file could not be read.
    case failed
    case notFound = "not_found"
    /// A write request, a path not allowed, a ban, the fetch guard or the MAC lists.
    case refused
    /// The phone's credentials cannot be had yet.
    case unavailable
    /// Too many transfers at once, in all or from this address.
    case busy
}

/// Why a fetch was refused before the phone got its file: the `reason` label of `autoprovision_guard_refusals_total`.
enum GuardRefusal: String, CaseIterable, Sendable {
    /// The address is banned for guessing.
    case banned
    /// The requester's address was not known.
    case noAddress = "no_address"
    /// `fetch-guard strict` and the request came neither through the private URL nor with a device certificate.
    case strict
    /// The requester's neighbour entry holds another phone's MAC.
    case otherPhone = "other_phone"
    /// The requester is not a neighbour on a connected network nor in `trusted-networks`.
    case notNeighbour = "not_neighbour"
    /// The device certificate names another phone.
    case certificate

    init(_ refusal: FetchGuard.Refusal) {
        switch refusal {
        case .noAddress: self = .noAddress
        case .strict: self = .strict
        case .otherPhone: self = .otherPhone
        case .notNeighbour: self = .notNeighbour
        case .certificate: self = .certificate
        }
    }
}

/// One counter made on first use. After that, reading it is one atomic load: no lock, so the
/// event loops never wait on each other or on the metrics backend. (swift-atomics' lazy
/// reference is inlinable, so the load is specialised here rather than a generic call per request.)
final class CounterSlot: Sendable {
    private let reference = ManagedAtomicLazyReference<Counter>()
    private let label: String
    private let dimensions: [(String, String)]
    private let factory: any MetricsFactory

    init(label: String, dimensions: [(String, String)], factory: any MetricsFactory) {
        self.label = label
        self.dimensions = dimensions
        self.factory = factory
    }

    var counter: Counter {
        if let counter = reference.load() { return counter }
        // Two loops racing here both ask the backend, which hands both the same series; one wrapper is kept.
        return reference.storeIfNilThenLoad(Counter(label: label, dimensions: dimensions, factory: factory))
    }
}

extension ServingMetrics {
    /// The vendor label of a request: the phone's, when the answer or the file name names one; else
    /// the vendor whose phones alone use that file name (`y000000000000.cfg`); else nil.
    /// - Parameters:
    ///   - path: The requested path.
    ///   - mac: The phone the answer is for, when it names one.
    ///   - snapshot: What the phones' vendors are looked up in.
    static func vendor(path: Substring, mac: MACAddress?, snapshot: ProvisioningSnapshot) -> Vendor? {
        if let mac { return snapshot.vendor(of: mac) }
        let name = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path
        guard let request = ConfigRequest(fileName: name) else { return nil }
        if let mac = request.mac { return snapshot.vendor(of: mac) }
        let vendors = request.vendors
        return vendors.count == 1 ? vendors[0] : nil
    }
}
