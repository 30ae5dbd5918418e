/// The outcome of a star-code bind, set as the channel variable `PROVISION_STATUS` for the dialplan.
public enum ProvisionStatus: String, Sendable, CaseIterable {
    /// The phone is bound and will reboot into its account.
    case ok = "OK"
    /// The dialled extension does not follow the template or has no credentials.
    case extensionNotFound = "EXTEN_NOT_FOUND"
    /// No MAC could be found for the caller's address.
    case phoneNotFound = "PHONE_NOT_FOUND"
    /// The MAC lists, the rebind rule or the rate limit refused the caller.
    case denied = "DENIED"
    /// Anything else (credentials unavailable, store error, bad request).
    case error = "ERROR"
}
