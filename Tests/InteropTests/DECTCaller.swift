import Foundation
import TestNetwork

/// A W52P-style DECT base placing a call for its second handset, which pjsua cannot play:
/// the base numbers handsets in the Call-ID (`1_…@ip` is line 2). python3 inside the phone's
/// namespace sends the INVITE, answers the guest endpoint's Digest challenge, ACKs the 200 and
/// answers the BYE, then prints the final status codes it saw.
enum DECTCaller {
    static let script = #"""
        import hashlib, random, socket, sys
        phone_ip, host, port, user, password, number, handset = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((phone_ip, 5072))
        s.settimeout(15)
        uri = 'sip:%s@%s:%d' % (number, host, port)
        call_id = '%d_%d@%s' % (handset - 1, random.randint(10**7, 10**8), phone_ip)
        tag = str(random.randint(10**7, 10**8))
        sdp = 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' % (phone_ip, phone_ip)
        def head(method, cseq, branch, to=None):
            return ('%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5072;branch=%s;rport\r\nMax-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=%s\r\n'
                    'To: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nContact: <sip:%s@%s:5072>\r\nUser-Agent: Yealink W52P 25.81.0.10\r\n') % (
                method, uri, phone_ip, branch, user, host, tag, to or '<%s>' % uri, call_id, cseq, method, user, phone_ip)
        def send(text):
            s.sendto(text.encode(), (host, port))
        def parse(data):
            text = data.decode()
            lines = text.split('\r\n')
            fields = {}
            for line in lines[1:]:
                if ': ' in line:
                    name, value = line.split(': ', 1)
                    fields.setdefault(name.lower(), value)
            return int(lines[0].split(' ')[1]) if lines[0].startswith('SIP/2.0') else 0, lines[0], fields
        branch = 'z9hG4bK%d' % random.randint(10**7, 10**8)
        send(head('INVITE', 1, branch) + 'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' % (len(sdp), sdp))
        seen = []
        cseq = 1
        while True:
            code, first, fields = parse(s.recvfrom(65535)[0])
            if code == 0:
                if first.startswith('BYE'):
                    s.sendto(('SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n' % (
                        fields['via'], fields['from'], fields['to'], fields['call-id'], fields['cseq'])).encode(), (host, port))
                    seen.append('BYE')
                    break
                continue
            if code < 200:
                continue
            seen.append(str(code))
            if code in (401, 407) and cseq == 1:
                send(head('ACK', 1, branch, fields['to']) + 'Content-Length: 0\r\n\r\n')
                challenge = fields['www-authenticate' if code == 401 else 'proxy-authenticate']
                params = dict((k.strip(), v.strip().strip('"')) for k, v in (p.split('=', 1) for p in challenge[len('Digest '):].split(',')))
                ha1 = md5('%s:%s:%s' % (user, params['realm'], password))
                ha2 = md5('INVITE:%s' % uri)
                auth = 'Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5' % (user, params['realm'], params['nonce'], uri)
                if 'auth' in params.get('qop', ''):
                    auth += ', qop=auth, nc=00000001, cnonce="abcdef12", response="%s"' % md5('%s:%s:00000001:abcdef12:auth:%s' % (ha1, params['nonce'], ha2))
                else:
                    auth += ', response="%s"' % md5('%s:%s:%s' % (ha1, params['nonce'], ha2))
                if 'opaque' in params:
                    auth += ', opaque="%s"' % params['opaque']
                cseq = 2
                branch = 'z9hG4bK%d' % random.randint(10**7, 10**8)
                send(head('INVITE', 2, branch) + '%s: %s\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' % (
                    'Authorization' if code == 401 else 'Proxy-Authorization', auth, len(sdp), sdp))
            elif code == 200:
                ack_branch = 'z9hG4bK%d' % random.randint(10**7, 10**8)
                send(head('ACK', cseq, ack_branch, fields['to']) + 'Content-Length: 0\r\n\r\n')
            else:
                break
        print(' '.join(seen))
        """#

    /// Calls `number` as handset `handset` of the base in `namespace`; returns the status codes seen (`401 200 BYE`).
    static func call(in namespace: PhoneNamespace, host: String, port: Int, user: String, password: String, number: String, handset: Int) async throws
        -> String
    {
        try await namespace.exec(
            PnPPhone.python!, ["-c", script, namespace.phoneIP, host, String(port), user, password, number, String(handset)]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
