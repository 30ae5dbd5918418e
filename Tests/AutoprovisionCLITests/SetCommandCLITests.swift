import Foundation
import TestCLI
import TestHTTP
import Testing

/// `firmware set`: changes to what exists, through the real binary.
@Suite struct SetCommandCLITests {
    /// A firmware file of `bytes` bytes in the test's directory.
    func file(_ cli: CLI, _ name: String, bytes: Int = 100) throws -> String {
        let url = cli.directory.appendingPathComponent(name)
        try Data(repeating: 7, count: bytes).write(to: url)
        return url.path
    }

    @Test func firmwareSetRefusesBadInputAndWritesNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run(["firmware", "add", try file(cli, "all.z"), "--vendor", "fanvil", "--version", "1"]).status == 0)
        #expect(try cli.run(["firmware", "add", try file(cli, "x4.z"), "--vendor", "fanvil", "--model", "X4"]).status == 0)
        let changed = try cli.run(["firmware", "set", "1", "--model", "x6u-pro", "--version", "2", "--notes", "lab phones"])
        #expect(changed.stdout == "firmware 1: model (all) -> x6u-pro, version 1 -> 2, notes (none) -> lab phones\n", "\(changed.stderr)")
        let listing = try cli.run(["firmware", "list"]).stdout
        let refusals: [([String], String)] = [
            (["firmware", "set", "99", "--version", "3"], "no firmware with id 99"),
            (["firmware", "set", "1", "--model", "x4"], "a Fanvil firmware for x4 exists already; remove it or replace its file"),
            (["firmware", "set", "2", "--model", "X6U Pro", "--version", "9"], "a Fanvil firmware for X6U Pro exists already (id 1, model 'x6u-pro'); remove it or replace its file"),
            (["firmware", "set", "1", "--model", "X6U/Pro"], "model 'X6U/Pro' must be 1 to 64 letters, digits, spaces, '-', '_', '.' or '+', starting with a letter or digit"),
            (["firmware", "set", "1", "--notes", "two\nlines"], "notes must be at most 256 bytes on one line"),
            (["firmware", "add", try file(cli, "pro.z"), "--vendor", "fanvil", "--model", "Fanvil X6U Pro"],
             "a Fanvil firmware for Fanvil X6U Pro exists already (id 1, model 'x6u-pro'); remove it or replace its file"),
        ]
        for (arguments, message) in refusals {
            let result = try cli.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "Error: \(message)\n", "\(arguments)")
        }
        let usage = try cli.run(["firmware", "set", "1"])
        #expect(usage.status == 64 && usage.stderr.hasPrefix("Error: give at least one of --version, --notes or --model\n"))
        #expect(try cli.run(["firmware", "list"]).stdout == listing, "a refused change wrote something")
        #expect(listing.contains("fanvil  x6u-pro  2"))
        // Back to every model of the vendor.
        #expect(try cli.run(["firmware", "set", "1", "--model", ""]).stdout == "firmware 1: model x6u-pro -> (all)\n")
    }
}
