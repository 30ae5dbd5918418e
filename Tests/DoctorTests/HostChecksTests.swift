import Foundation
import Provisioning
import Testing

@testable import Doctor

#if canImport(Glibc)
    import Glibc
#endif

/// The checks of this host, on real files, sockets and /proc.
@Suite struct HostChecksTests {
    @Test func databaseReadableAndWritable() async throws {
        let test = try TestStore()
        let result = await DatabaseCheck().run(try test.context())
        #expect(result.line.hasPrefix("ok   database: \(test.path) readable and writable (revision "))
    }

    @Test func databaseMissingOrNotOursFails() async throws {
        let test = try TestStore()
        var context = try test.context()
        context.databasePath = "\(test.directory)/none.sqlite"
        let missing = await DatabaseCheck().run(context)
        #expect(missing.status == .fail)
        #expect(missing.message == "\(test.directory)/none.sqlite does not exist")
        #expect(!FileManager.default.fileExists(atPath: context.databasePath), "the check must not create the file")
        context.databasePath = "\(test.directory)/garbage.sqlite"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: context.databasePath))
        let garbage = await DatabaseCheck().run(context)
        #expect(garbage.status == .fail)
        #expect(garbage.message.contains("not a database"))
        context.databasePath = "\(test.directory)/empty.sqlite"
        #expect(FileManager.default.createFile(atPath: context.databasePath, contents: nil))
        let empty = await DatabaseCheck().run(context)
        #expect(empty.message == "\(test.directory)/empty.sqlite: it holds no autoprovision tables")
    }

    @Test func pbxHostMustBeOneOfOurAddresses() async throws {
        let test = try TestStore()
        let addresses: @Sendable () -> [(address: String, interface: String)] = { [("127.0.0.1", "lo"), ("192.0.2.7", "eth0")] }
        try test.store.set(.pbxHost, to: "192.0.2.7")
        #expect(
            await PBXHostCheck(localAddresses: addresses).run(try test.context()).line == "ok   pbx-host: 192.0.2.7 is an address of this host (eth0)"
        )
        try test.store.set(.pbxHost, to: "192.0.2.99")
        let wrong = await PBXHostCheck(localAddresses: addresses).run(try test.context())
        #expect(
            wrong.line
                == "FAIL pbx-host: 192.0.2.99 is not an address of this host — fix: autoprovision settings set pbx-host ADDRESS, "
                + "with the address phones reach this host at (this host has 192.0.2.7)")
        try test.store.set(.pbxHost, to: "localhost")
        let loopback = await PBXHostCheck().run(try test.context())
        #expect(loopback.status == .warn)
        #expect(loopback.message.hasPrefix("localhost resolves to "))
        try test.store.set(.pbxHost, to: "no-such-host.invalid")
        let unresolved = await PBXHostCheck().run(try test.context())
        #expect(unresolved.status == .fail)
        #expect(unresolved.message.hasPrefix("no-such-host.invalid does not resolve: "))
    }

    @Test func portFreeOrHeldByAnotherProgram() async throws {
        let test = try TestStore()
        let (descriptor, port) = try listen()
        try test.store.set(.httpPort, to: String(port))
        let held = await PortCheck(.http).run(try test.context())
        let me = try #require(ProcessTable().name(of: getpid()))
        #expect(
            held.line
                == "FAIL http-port: \(port)/tcp is held by \(me) (pid \(getpid())): serve cannot listen on it — fix: stop that program, or move ours: autoprovision settings set http-port N"
        )
        close(descriptor)
        #expect(await PortCheck(.http).run(try test.context()).line == "ok   http-port: \(port)/tcp free: serve can listen on it")
        #expect(await PortCheck(.tftp).run(try test.context()).line.hasPrefix("ok   tftp: off "))
    }

    @Test func portHeldByAutoprovisionIsOurs() async throws {
        let test = try TestStore()
        let (descriptor, port) = try listen()
        defer { close(descriptor) }
        // A process table whose one process is named like the daemon and holds the socket's inode.
        let inode = try #require(SocketTable().holders(port: port, transport: .tcp).first)
        let proc = "\(test.directory)/proc"
        try FileManager.default.createDirectory(atPath: "\(proc)/4242/fd", withIntermediateDirectories: true)
        try "autoprovision\n".write(toFile: "\(proc)/4242/comm", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(proc)/4242/fd/7", withDestinationPath: "socket:[\(inode)]")
        try test.store.set(.pbxHost, to: "127.0.0.1")
        let result = await PortCheck(.agi, processes: ProcessTable(root: proc)).run(try test.context(agi: "127.0.0.1:\(port)"))
        #expect(result.line == "ok   agi: \(port)/tcp listening: autoprovision (pid 4242)")
    }

    @Test func socketTableRowsAreReadByPortAndState() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:2120 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
               1: 0100007F:2120 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 20 4 30 10 -1
               2: 00000000:11D5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
            """
        #expect(SocketTable.holders(in: table, port: 8480, listeningOnly: true) == [1111])
        #expect(SocketTable.holders(in: table, port: 8480, listeningOnly: false) == [1111, 2222])
        #expect(SocketTable.holders(in: table, port: 4565, listeningOnly: true) == [3333])
        #expect(SocketTable.holders(in: "garbage\n1: x", port: 1, listeningOnly: true).isEmpty)
    }

    @Test func capabilitiesFromStatus() throws {
        let status = "Name:\tautoprovision\nCapInh:\t0000000000000000\nCapEff:\t0000000000002400\n"
        let capabilities = try #require(Capabilities(status: status))
        #expect(capabilities.has(Capabilities.netRaw))
        #expect(capabilities.has(Capabilities.netBindService))
        #expect(!Capabilities(effective: 0).has(Capabilities.netRaw))
        #expect(Capabilities(status: "Name: x\n") == nil)
        #expect(ProcessTable().capabilities(of: nil) != nil, "this process's own status is readable")
    }

    @Test func tftpPrivilegeFollowsTheSettingAndThePort() async throws {
        let test = try TestStore()
        #expect(await PrivilegeCheck(.tftp).run(try test.context()).line == "ok   tftp-privilege: TFTP is off: no privilege needed")
        try test.store.set(.tftp, to: "on")
        let high = await PrivilegeCheck(.tftp, unprivilegedPortStart: { 1024 }).run(try test.context(tftp: "0.0.0.0:6969"))
        #expect(high.line == "ok   tftp-privilege: TFTP port 6969 needs no privilege (ports from 1024 are open to all)")
        let proc = "\(test.directory)/proc"
        try FileManager.default.createDirectory(atPath: "\(proc)/self", withIntermediateDirectories: true)
        try "Name:\tx\nCapEff:\t0000000000000000\n".write(toFile: "\(proc)/self/status", atomically: true, encoding: .utf8)
        let lacking = await PrivilegeCheck(.tftp, processes: ProcessTable(root: proc), unprivilegedPortStart: { 1024 }).run(try test.context())
        #expect(lacking.status == .fail)
        #expect(lacking.message.hasPrefix("this process (no serve is running; one started the same way gets the same) lacks CAP_NET_BIND_SERVICE"))
        #expect(lacking.fix?.contains("AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE") == true)
    }

    @Test func pnpPrivilegeIsLookedForInTheRunningServe() async throws {
        let test = try TestStore()
        // UDP 5060 held (as by Asterisk) by a socket of this test, and a serve without CAP_NET_RAW.
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(5060).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let sip = SocketTable().holders(port: 5060, transport: .udp)
        try #require(bound == 0 || !sip.isEmpty, "UDP 5060 can be neither taken nor seen held")
        let proc = "\(test.directory)/proc"
        try FileManager.default.createDirectory(atPath: "\(proc)/4243", withIntermediateDirectories: true)
        try "autoprovision\n".write(toFile: "\(proc)/4243/comm", atomically: true, encoding: .utf8)
        try "Name:\tautoprovision\nCapEff:\t0000000000000400\n".write(toFile: "\(proc)/4243/status", atomically: true, encoding: .utf8)
        try Data("/usr/bin/autoprovision\0serve\0--db\0x.sqlite\0".utf8).write(to: URL(fileURLWithPath: "\(proc)/4243/cmdline"))
        let lacking = await PrivilegeCheck(.pnp, processes: ProcessTable(root: proc)).run(try test.context())
        #expect(lacking.status == .fail)
        #expect(lacking.message.hasPrefix("serve (pid 4243) lacks CAP_NET_RAW, which PnP discovery needs while UDP 5060 is held"))
        try Data("/usr/bin/autoprovision\0serve\0--no-pnp\0".utf8).write(to: URL(fileURLWithPath: "\(proc)/4243/cmdline"))
        let off = await PrivilegeCheck(.pnp, processes: ProcessTable(root: proc)).run(try test.context())
        #expect(off.line == "ok   pnp-privilege: serve (pid 4243) runs with --no-pnp: no privilege needed")
        try "Name:\tautoprovision\nCapEff:\t0000000000002000\n".write(toFile: "\(proc)/4243/status", atomically: true, encoding: .utf8)
        try Data("/usr/bin/autoprovision\0serve\0".utf8).write(to: URL(fileURLWithPath: "\(proc)/4243/cmdline"))
        let has = await PrivilegeCheck(.pnp, processes: ProcessTable(root: proc)).run(try test.context())
        #expect(has.status == .ok)
        #expect(has.message.hasPrefix("serve (pid 4243) has CAP_NET_RAW"))
    }

    @Test func generatedFilesCurrentOrStale() async throws {
        let test = try TestStore()
        #expect(await ConfigFilesCheck().run(try test.context()).line.hasPrefix("ok   asterisk-conf-dir: not set"))
        let directory = "\(test.directory)/asterisk"
        try test.store.set(.asteriskConfDir, to: directory)
        let missing = await ConfigFilesCheck().run(try test.context())
        #expect(missing.status == .fail)
        #expect(missing.message == "missing or unreadable: \(directory)/extensions.conf, \(directory)/pjsip.conf")
        try AsteriskConfigDirectory(path: directory).update(try test.store.asteriskConfigFiles(agiAddress: "127.0.0.1:4573", showSecret: true))
        #expect(
            await ConfigFilesCheck().run(try test.context()).line
                == "ok   asterisk-conf-dir: \(directory)/extensions.conf and \(directory)/pjsip.conf are current")
        let other = await ConfigFilesCheck().run(try test.context(agi: "127.0.0.1:4600"))
        #expect(other.message == "not what the store gives (for AGI 127.0.0.1:4600): \(directory)/extensions.conf")
        #expect(!other.line.contains(try test.store.settings().guestSecret))
    }

    /// A TCP socket listening on a free loopback port.
    func listen() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound, Glibc.listen(descriptor, 4) == 0 else { throw TestError("cannot listen: \(String(cString: strerror(errno)))") }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
