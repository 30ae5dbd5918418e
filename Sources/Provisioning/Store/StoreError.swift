/// Why a store operation was refused. The message names the offending input.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A value failed validation (bad MAC, port, vendor, INI line...).
    case invalidValue(String)
    /// A file or body is over a size limit.
    case tooLarge(String)
    /// The thing named does not exist.
    case notFound(String)
    /// The change would break a uniqueness or reference rule.
    case conflict(String)
    /// The database itself failed (disk, lock, corruption).
    case database(String)

    public var description: String {
        switch self {
        case .invalidValue(let message), .tooLarge(let message), .notFound(let message), .conflict(let message): message
        case .database(let message): "database error: \(message)"
        }
    }
}
