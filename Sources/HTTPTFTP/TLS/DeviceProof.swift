import Certificates
import Synchronization

/// What one TLS connection's client certificate proved, once the handshake has checked it.
///
/// Written by the verification callback (off the event loop) before the handshake completes,
/// read by the HTTP handler for each request on that connection.
final class DeviceProof: Sendable {
    private let identity = Mutex<DeviceIdentity?>(nil)

    var value: DeviceIdentity? { identity.withLock { $0 } }

    func set(_ proven: DeviceIdentity) {
        identity.withLock { $0 = proven }
    }
}
