import Crypto

/// The key of AMI's challenge login: `md5(challenge + secret)` as lowercase hex,
/// which is what `manager.c` compares the `Key:` header with.
///
/// MD5 because Asterisk chose it; nothing else here relies on it.
package enum AMILoginKey {
    /// The `Key:` value for a `Login` with `AuthType: MD5`.
    package static func key(challenge: String, secret: String) -> String {
        md5Hex(Array((challenge + secret).utf8))
    }

    /// The MD5 digest of `bytes` as 32 lowercase hex digits.
    package static func md5Hex(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}
