/// One `-----BEGIN <label>-----` ... `-----END <label>-----` block of a PEM text.
///
/// Certificates and keys arrive as files an admin copied from somewhere: bundles with comments
/// between blocks (`Bag Attributes`, `subject=` lines from `openssl`), CRLF line ends, keys next to
/// their parameters. Splitting the text ourselves lets an error name the block that is wrong
/// instead of failing on the whole file.
struct PEMBlock: Sendable, Equatable {
    /// The label, e.g. `CERTIFICATE` or `RSA PRIVATE KEY`.
    let label: String
    /// The block from its BEGIN line to its END line, with `\n` line ends.
    let text: String

    /// The blocks of `pem`, in order; text outside blocks is ignored.
    /// - Parameters:
    ///   - pem: The PEM text.
    ///   - source: Names the input in errors (a file name, "device CA bundle").
    /// - Throws: ``CertificateError`` for a BEGIN line without its END line.
    static func blocks(in pem: String, source: String) throws(CertificateError) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var open: (label: String, lines: [String])?
        let lines = pem.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for rawLine in lines {
            let line = rawLine.trimmingSpaces()
            if let label = line.pemMarker(prefix: "-----BEGIN ") {
                if let current = open {
                    throw CertificateError(
                        "\(source): block \(blocks.count + 1) (\(current.label)) has no END line before the next BEGIN")
                }
                open = (label, [line])
            } else if let label = line.pemMarker(prefix: "-----END ") {
                guard let current = open else { continue }
                guard label == current.label else {
                    throw CertificateError(
                        "\(source): block \(blocks.count + 1) begins as \(current.label) but ends as \(label)")
                }
                blocks.append(PEMBlock(label: label, text: (current.lines + [line]).joined(separator: "\n") + "\n"))
                open = nil
            } else if open != nil, !line.isEmpty {
                open?.lines.append(line)
            }
        }
        if let current = open {
            throw CertificateError("\(source): block \(blocks.count + 1) (\(current.label)) has no END line")
        }
        return blocks
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension String {
    /// The label of a `-----BEGIN X-----` / `-----END X-----` line.
    fileprivate func pemMarker(prefix: String) -> String? {
        guard hasPrefix(prefix), hasSuffix("-----"), count > prefix.count + 5 else { return nil }
        return String(dropFirst(prefix.count).dropLast(5))
    }
}
