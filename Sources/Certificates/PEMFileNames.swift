/// How ``ServerIdentity`` names its inputs in errors: the files the admin gave, when there are files.
public struct PEMFileNames: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String
    public var chain: String

    public init(certificate: String, privateKey: String, chain: String) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
    }

    /// For PEM text that did not come from files.
    public static let unnamed = PEMFileNames(certificate: "certificate", privateKey: "private key", chain: "chain")
}
