import Foundation
import GRDB
import Logging
import Testing
@testable import Provisioning

@Suite struct FirmwareTests {
    /// FIPS 180-4 known answers, through the upload path: the digest is taken while the
    /// bytes stream in, in whatever pieces the network delivers them.
    @Test(arguments: [
        ("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("a", 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func uploadsAreHashedWithSHA256WhileTheyStream(text: String, repeats: Int, digest: String) throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        let bytes = Array(repeating: Array(text.utf8), count: repeats).flatMap { $0 }
        let upload = try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: Int64(bytes.count))
        for start in stride(from: 0, to: bytes.count, by: 99_991) {
            try upload.write(Data(bytes[start..<min(start + 99_991, bytes.count)]))
        }
        let record = try upload.finish()
        #expect(record.sha256 == digest)
        #expect(try Data(contentsOf: repository.fileURL(record)) == Data(bytes))
    }

    func file(_ directory: URL, _ name: String, bytes: Int) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(repeating: 7, count: bytes).write(to: url)
        return url
    }

    @Test func rulesLimitsAndNothingLeftBehind() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        #expect(throws: StoreError.self) { try repository.add(try file(directory, "x.fw", bytes: 10), vendor: .yealink) }
        #expect(throws: StoreError.self) { try repository.add(try file(directory, "x.z", bytes: 10), vendor: .grandstream) }
        #expect(throws: StoreError.self) { try repository.add(try file(directory, "empty.bin", bytes: 0), vendor: .snom) }
        #expect(throws: StoreError.self) { try repository.add(directory, vendor: .snom) }
        // Over 80 MB: a sparse file, so the test writes nothing big.
        let big = directory.appendingPathComponent("big.rom")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(FirmwareRepository.maximumFileSize + 1))
        try handle.close()
        #expect(throws: StoreError.self) { try repository.add(big, vendor: .yealink) }
        let added = try repository.add(try file(directory, "fw.z", bytes: 1000), vendor: .fanvil, model: "X4")
        #expect(added.size == 1000)
        #expect(throws: StoreError.conflict("a Fanvil firmware for x4 exists already; remove it or replace its file")) {
            try repository.add(try file(directory, "fw2.bin", bytes: 10), vendor: .fanvil, model: "x4")
        }
        // Over 300 MB in all, counting what is kept already.
        try store.write { db in
            try db.execute(sql: "UPDATE firmware SET size = ?", arguments: [FirmwareRepository.maximumTotalSize - 500])
        }
        #expect(throws: StoreError.self) { try repository.add(try file(directory, "more.bin", bytes: 1000), vendor: .grandstream) }
        // Only the one good file is there, and no upload leftovers.
        let kept = try FileManager.default.contentsOfDirectory(atPath: repository.directory.path)
        #expect(kept == ["\(added.id!)-\(added.sha256)"])
        #expect(try repository.list().count == 1)
        try repository.remove(id: added.id!)
        #expect(try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).isEmpty)
        #expect(throws: StoreError.notFound("no firmware with id 99")) { try repository.remove(id: 99) }
    }

    @Test func replaceSwapsTheFileAtomically() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        let first = try repository.add(try file(directory, "T46S-1.rom", bytes: 1000), vendor: .yealink, model: "T46S", version: "1")
        let revision = try store.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM revision") }
        // A wrong extension for the row's vendor is refused and nothing changes.
        #expect(throws: StoreError.self) { try repository.replaceFile(id: first.id!, with: try file(directory, "T46S-2.fw", bytes: 10)) }
        #expect(throws: StoreError.notFound("no firmware with id 42")) { try repository.replaceFile(id: 42, with: try file(directory, "a.rom", bytes: 10)) }
        let newer = directory.appendingPathComponent("T46S-2.rom")
        try Data(repeating: 9, count: 2000).write(to: newer)
        let replaced = try repository.replaceFile(id: first.id!, with: newer)
        #expect(replaced.id == first.id && replaced.model == "T46S" && replaced.version == "1")
        #expect(replaced.fileName == "T46S-2.rom" && replaced.size == 2000 && replaced.sha256 != first.sha256)
        #expect(try repository.list().map(\.sha256) == [replaced.sha256])
        #expect(try Data(contentsOf: repository.fileURL(replaced)) == Data(repeating: 9, count: 2000))
        // The old file is gone, no temporary is left, and phones see the change.
        #expect(try FileManager.default.contentsOfDirectory(atPath: repository.directory.path) == ["\(replaced.id!)-\(replaced.sha256)"])
        #expect(try store.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM revision") } != revision)
    }

    @Test func droppedUploadLeavesNoFileAndNoRow() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        // The connection drops after half the announced bytes: the upload is abandoned.
        do {
            let upload = try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: 4096)
            try upload.write(Data(repeating: 1, count: 2048))
            #expect(try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).count == 1, "the temporary file exists while uploading")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).isEmpty)
        // Finishing short of the announced size is refused the same way.
        let short = try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: 4096)
        try short.write(Data(repeating: 1, count: 100))
        #expect(throws: StoreError.self) { try short.finish() }
        // More than announced, or past the room left without an announcement: refused as it arrives.
        let long = try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: 10)
        #expect(throws: StoreError.self) { try long.write(Data(repeating: 1, count: 11)) }
        let kept = try repository.add(try file(directory, "kept.rom", bytes: 10), vendor: .yealink)
        try store.write { db in
            try db.execute(sql: "UPDATE firmware SET size = ?", arguments: [FirmwareRepository.maximumTotalSize - 1500])
        }
        let unannounced = try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: nil)
        try unannounced.write(Data(repeating: 1, count: 1000))
        #expect(throws: StoreError.self) { try unannounced.write(Data(repeating: 1, count: 1000)) }
        try repository.remove(id: kept.id!)
        // Two uploads that each fit, but not together: the one that finishes second is refused.
        try store.write { db in
            try db.execute(sql: "INSERT INTO firmware (vendor, model, version, notes, fileName, size, sha256, createdAt) VALUES ('htek', 'X', '', '', 'x.rom', ?, '', ?)",
                arguments: [FirmwareRepository.maximumTotalSize - 3000, Date()])
        }
        let first = try repository.beginUpload(fileName: "a.bin", vendor: .grandstream, model: "A", declaredSize: 2000)
        let second = try repository.beginUpload(fileName: "b.bin", vendor: .grandstream, model: "B", declaredSize: 2000)
        try first.write(Data(repeating: 1, count: 2000))
        try second.write(Data(repeating: 2, count: 2000))
        _ = try first.finish()
        #expect(throws: StoreError.self) { try second.finish() }
        #expect(try repository.list().map(\.model).sorted() == ["A", "X"])
        try store.write { db in try db.execute(sql: "DELETE FROM firmware") }
        for name in try FileManager.default.contentsOfDirectory(atPath: repository.directory.path) {
            try FileManager.default.removeItem(at: repository.directory.appendingPathComponent(name))
        }
        // Announced sizes over the limits are refused before a byte is kept.
        #expect(throws: StoreError.self) { try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: 81 << 20) }
        #expect(throws: StoreError.self) { try repository.beginUpload(fileName: "a/b.bin", vendor: .grandstream, declaredSize: 10) }
        #expect(throws: StoreError.self) { try repository.beginUpload(fileName: "bad\u{1}.bin", vendor: .grandstream, declaredSize: 10) }
        #expect(throws: StoreError.self) { try repository.beginUpload(fileName: "fw.bin", vendor: .grandstream, declaredSize: 0) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).isEmpty)
        #expect(try repository.list().isEmpty)
    }

    @Test func modelRowWinsOverVendorRowAndEveryVendorWritesItsLine() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw", displayName: "Bob"))
        let macs: [(String, Vendor, String)] = [
            ("001565000001", .yealink, "T46S"), ("001565000002", .yealink, "T21P"), ("000413000003", .snom, "D785"),
            ("0c383e000004", .fanvil, "X4"), ("c074ad000005", .grandstream, "GRP2614"), ("001fc1000006", .htek, "UC903"),
        ]
        for (mac, vendor, model) in macs {
            try store.addDevice(mac: MACAddress(parsing: mac), vendor: vendor, model: model, templateName: nil, extensionNumber: "204", actor: "t")
        }
        let specific = try repository.add(try file(directory, "t46s.rom", bytes: 10), vendor: .yealink, model: "t46s")
        let wide = try repository.add(try file(directory, "all.bin", bytes: 10), vendor: .yealink)
        for (vendor, name) in [(Vendor.snom, "s.bin"), (.fanvil, "f.z"), (.grandstream, "g.bin"), (.htek, "h.rom")] {
            try repository.add(try file(directory, name, bytes: 10), vendor: vendor)
        }
        try store.saveTemplate(name: "t", vendor: .yealink, body: "#!version:1.0.0.1\nurl={FIRMWARE_URL}\n")
        try store.setTemplate(mac: MACAddress(parsing: "001565000002"), templateName: "t")
        let snapshot = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(logger: Logger(label: "t")).0
        func body(_ path: String) -> String {
            if case .file(let file, _) = snapshot.answer(path: path[...], userAgent: nil, remoteIP: nil) { return String(decoding: file.body, as: UTF8.self) }
            return ""
        }
        let base = "http://192.168.1.10:8480"
        #expect(body("/001565000001.cfg").contains("firmware.url = \(base)\(specific.path)\n"))
        #expect(body("/001565000002.cfg").contains("url=\(base)\(wide.path)\n"))
        #expect(body("/snomD785-000413000003.htm").contains("<firmware perm=\"RW\">\(base)/firmware/"))
        #expect(body("/0c383e000004.cfg").contains("<AUTOUPDATE CONFIG MODULE>\nApp URL"))
        #expect(body("/cfgc074ad000005.xml").contains("<P192>192.168.1.10:8480/firmware/"))
        let htek = body("/cfg001fc1000006.xml")
        // In the file's own P-code form, inside <config>, like every other Htek setting.
        #expect(htek.contains("\n        <P192>192.168.1.10:8480/firmware/"))
        #expect(htek.contains("</P192>\n    </config>"))
        #expect(!htek.contains("auto_image_url"))
        guard case .stored(let stored) = snapshot.answer(path: specific.path[...], userAgent: nil, remoteIP: nil) else {
            Issue.record("the firmware path is not served")
            return
        }
        #expect(stored.size == 10)
        #expect(stored.sha256 == specific.sha256)
    }
}
