/// Which scheme the URLs handed to phones use (`settings set phone-scheme`).
public enum PhoneScheme: String, Sendable, CaseIterable {
    /// https while the HTTPS server runs (a certificate is installed), else http.
    case auto
    /// Always http, for phones that cannot do TLS even when HTTPS runs.
    case http
    /// Always https.
    case https
}
