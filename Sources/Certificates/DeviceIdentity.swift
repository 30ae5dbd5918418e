public import Provisioning

/// A phone proven by its factory device certificate: the MAC the certificate names, and its subject.
public struct DeviceIdentity: Sendable, Equatable {
    /// The MAC named by the certificate (subject CN, a SAN, or a CN of the form `<model>-<MAC>`).
    public let mac: MACAddress
    /// The certificate's subject, as shown to the admin (RFC 4514 form).
    public let subject: String

    public init(mac: MACAddress, subject: String) {
        self.mac = mac
        self.subject = subject
    }
}
