import Foundation
import Logging
import Synchronization
import Testing

@testable import DaemonSupport

/// The logfmt and JSON handlers: one line per record, metadata included, secrets never.
@Suite struct LogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        var output: LogOutput { LogOutput { line in self.lines.withLock { $0.append(line) } } }
    }

    static func logger(_ format: LogFormat, _ lines: Lines, level: Logger.Level = .info) -> Logger {
        Logger(label: "autoprovision") { label in format.handler(label: label, level: level, output: lines.output) }
    }

    @Test func logfmtLineHasTheFixedFieldsThenSortedMetadata() throws {
        let lines = Lines()
        var logger = Self.logger(.logfmt, lines)
        logger[metadataKey: "phone"] = "001565aabbcc"
        logger.info("config served", metadata: ["vendor": "yealink", "status": "200", "path": "/y 1.cfg"])
        logger.debug("not written at info")
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(line.wholeMatch(of: /ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z .*/) != nil, "\(line)")
        #expect(
            line.hasSuffix(
                #"level=info logger=autoprovision source=DaemonSupportTests msg="config served" path="/y 1.cfg" phone=001565aabbcc status=200 vendor=yealink"#
            ),
            "\(line)")
    }

    @Test func logfmtEscapesSoARecordStaysOnOneLine() throws {
        let lines = Lines()
        let logger = Self.logger(.logfmt, lines)
        logger.warning("two\nlines \"quoted\" back\\slash\u{1}", metadata: ["empty": "", "key with space": "a=b", "nested": ["inner": "x"]])
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        #expect(line.contains(#"msg="two\nlines \"quoted\" back\\slash\u0001""#), "\(line)")
        #expect(line.contains(#"empty="""#) && line.contains(#"key_with_space="a=b""#) && line.contains("nested.inner=x"), "\(line)")
    }

    @Test func jsonLineParsesWithEveryField() throws {
        let lines = Lines()
        var logger = Self.logger(.json, lines, level: .debug)
        logger[metadataKey: "msg"] = "shadowing attempt"
        logger.debug(
            "AMI login as \"admin\"\n", metadata: ["port": "\(5038)", "hosts": ["a", "b"], "detail": ["reason": "refused", "code": "5"]])
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "debug")
        #expect(object["logger"] as? String == "autoprovision")
        #expect(object["msg"] as? String == "AMI login as \"admin\"\n")
        #expect(object["meta.msg"] as? String == "shadowing attempt")
        #expect(object["port"] as? String == "5038")
        #expect(object["hosts"] as? [String] == ["a", "b"])
        #expect(object["detail"] as? [String: String] == ["reason": "refused", "code": "5"])
        #expect((object["ts"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func secretsNeverReachALine() throws {
        for format in [LogFormat.logfmt, .json] {
            let lines = Lines()
            var logger = Self.logger(format, lines)
            logger[metadataKey: "ami_secret"] = "s3cr3t-ami"
            logger.error(
                "login failed",
                metadata: [
                    "password": "Tr0ub4dor&3", "Admin-Token": "tok-123", "nested": ["sip_password": "hunter2", "user": "204"],
                    "list": [["secret": "deep"]],
                ])
            let line = try #require(lines.all.first)
            for secret in ["s3cr3t-ami", "Tr0ub4dor&3", "tok-123", "hunter2", "deep"] { #expect(!line.contains(secret), "\(format): \(line)") }
            #expect(line.contains("[redacted]") && line.contains("204"), "\(format): \(line)")
        }
    }

    @Test func eventMetadataWinsOverTheProvidersAndTheHandlers() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["request": "from-provider", "trace": "t1"] }
        var logger = Logger(label: "x") { label in
            var handler = LogfmtLogHandler(label: label, output: lines.output, metadataProvider: provider)
            handler.logLevel = .info
            return handler
        }
        logger[metadataKey: "request"] = "from-handler"
        logger[metadataKey: "phone"] = "p"
        logger.info("m", metadata: ["request": "from-event"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("msg=m phone=p request=from-event trace=t1"), "\(line)")
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        var time = timespec()
        time.tv_sec = 1_764_633_845
        time.tv_nsec = 7_000_000
        #expect(LogRecord.format(time) == "2025-12-02T00:04:05.007Z")
    }
}
