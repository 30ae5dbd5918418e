/// The rules every transport applies to a requested file name before looking it up.
enum RequestPath {
    /// Phones ask for plain file names: anything escaped, or able to climb out of the root, is refused.
    static func isAcceptable(_ path: Substring) -> Bool {
        var previous: UInt8 = 0
        var count = 0
        for byte in path.utf8 {
            count += 1
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "\\") || byte == 0 || count > 1024 { return false }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = byte
        }
        return path.utf8.first == UInt8(ascii: "/")
    }
}
