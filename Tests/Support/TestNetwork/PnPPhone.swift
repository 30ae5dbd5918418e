import Foundation

/// Plays a phone's side of SIP plug-and-play with python3 inside its namespace: sends a vector's
/// SUBSCRIBE byte for byte (comment lines dropped, CRLF line ends) to 224.0.1.75:5060 from the
/// given port, answers the NOTIFY with 200 OK, and prints what came back, separated by `=====`.
public enum PnPPhone {
    public static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    public static let script = #"""
        import socket, sys
        phone_ip, path, port, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        lines = [l.rstrip('\n') for l in open(path) if not l.startswith('#')]
        while lines and lines[-1] == '':
            lines.pop()
        wire = ('\r\n'.join(lines) + '\r\n\r\n').encode()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((phone_ip, port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(phone_ip))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        s.sendto(wire, ('224.0.1.75', 5060))
        s.settimeout(5)
        seen = []
        while len(seen) < wanted:
            data, addr = s.recvfrom(65535)
            text = data.decode()
            seen.append(text)
            if text.startswith('NOTIFY'):
                head = dict(l.split(': ', 1) for l in text.split('\r\n')[1:] if ': ' in l)
                reply = 'SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n' % (
                    head['Via'], head['From'], head['To'], head['Call-ID'], head['CSeq'])
                s.sendto(reply.encode(), addr)
        sys.stdout.write('\n=====\n'.join(seen))
        """#

    /// Sends `vector`'s SUBSCRIBE from `port` and returns the `count` messages that came back.
    public static func subscribe(in namespace: PhoneNamespace, vector: String, port: Int = 5062, count: Int = 2) async throws -> [String] {
        let output = try await namespace.exec(python!, ["-c", script, namespace.phoneIP, vector, String(port), String(count)])
        return output.components(separatedBy: "\n=====\n")
    }
}
