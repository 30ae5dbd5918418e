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
        #expect(throws: StoreError.notFound("no firmware with id 42")) {
            try repository.replaceFile(id: 42, with: try file(directory, "a.rom", bytes: 10))
        }
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
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).count == 1, "the temporary file exists while uploading"
            )
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
            try db.execute(
                sql:
                    "INSERT INTO firmware (vendor, model, version, notes, fileName, size, sha256, createdAt) VALUES ('htek', 'X', '', '', 'x.rom', ?, '', ?)",
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
        let snapshot = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(
            logger: Logger(label: "t")
        ).0
        func body(_ path: String) -> String {
            if case .file(let file, _) = snapshot.answer(path: path[...], userAgent: nil, remoteIP: nil) {
                return String(decoding: file.body, as: UTF8.self)
            }
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

    @Test func modelNamesAreTheVendorsOwnSpelling() throws {
        #expect(try PhoneModel.normalised("  X6U   Pro ") == "X6U Pro")
        for kept in ["T46S", "T21P_E2", "VP-T49G", "GXP1628", "D735+", "X3SP Pro", "2.0", String(repeating: "A", count: 64)] {
            #expect(try PhoneModel.normalised(kept) == kept)
        }
        #expect(try PhoneModel.normalised("") == nil)
        #expect(try PhoneModel.normalised("   ") == nil)
        for refused in ["X6U\tPro", "X6U\nPro", "X6U\u{7f}", "-T46S", ".hidden", "X6U/Pro", "<b>T46S</b>", "Ürün", String(repeating: "A", count: 65)]
        {
            #expect(throws: StoreError.self, "\(refused)") { try PhoneModel.normalised(refused) }
        }
        // The error names the input, control characters shown as '?' so it stays one line.
        #expect(
            throws: StoreError.invalidValue(
                "model 'X6U?Pro' must be 1 to 64 letters, digits, spaces, '-', '_', '.' or '+', starting with a letter or digit")
        ) {
            try PhoneModel.normalised("X6U\nPro")
        }
    }

    @Test func modelsMatchAsPhonesAndAdminsSpellThem() {
        for typed in ["X6U Pro", "X6U-Pro", "x6upro", "x6u_pro", "Fanvil X6U Pro", "fanvil-x6u-pro"] {
            #expect(PhoneModel.matches(typed, "X6U Pro", vendor: .fanvil), "\(typed)")
        }
        #expect(!PhoneModel.matches("X6U", "X6U Pro", vendor: .fanvil))
        #expect(!PhoneModel.matches("X6U Pro", "X6U Pro 2", vendor: .fanvil))
        // Yealink's marketing `SIP-` and Snom's `snom` prefix, which the User-Agent parser drops.
        #expect(PhoneModel.matches("SIP-T46S", "T46S", vendor: .yealink))
        #expect(PhoneModel.matches("Yealink SIP-T21P E2", "T21P_E2", vendor: .yealink))
        #expect(PhoneModel.matches("snomD785", "D785", vendor: .snom))
        #expect(!PhoneModel.matches("T46S", "T46U", vendor: .yealink))
        // The vendor name alone is not a model.
        #expect(PhoneModel.matchKey("Fanvil", vendor: .fanvil) == "fanvil")
    }

    @Test func theRowSpelledAsThePhoneSaysWinsThenAnyMatchingRowThenTheVendorRow() {
        func row(_ id: Int64, _ vendor: Vendor, _ model: String) -> FirmwareRecord {
            FirmwareRecord(id: id, vendor: vendor, model: model, version: "", notes: "", fileName: "f.z", size: 1, sha256: "", createdAt: Date())
        }
        let rows = [row(1, .fanvil, ""), row(2, .fanvil, "X6U_Pro"), row(3, .fanvil, "x6u pro"), row(4, .yealink, "X6U Pro"), row(5, .fanvil, "X4")]
        #expect(SnapshotBuilder.firmware(for: .fanvil, model: "X6U Pro", in: rows)?.id == 3)
        #expect(SnapshotBuilder.firmware(for: .fanvil, model: "X6U-PRO", in: rows)?.id == 2)
        #expect(SnapshotBuilder.firmware(for: .fanvil, model: "X4", in: rows)?.id == 5)
        #expect(SnapshotBuilder.firmware(for: .fanvil, model: "X7A", in: rows)?.id == 1)
        #expect(SnapshotBuilder.firmware(for: .fanvil, model: nil, in: rows)?.id == 1)
        #expect(SnapshotBuilder.firmware(for: .yealink, model: "x6upro", in: rows)?.id == 4)
        #expect(SnapshotBuilder.firmware(for: .yealink, model: "T46S", in: rows) == nil)
        #expect(SnapshotBuilder.firmware(for: nil, model: "X6U Pro", in: rows) == nil)
    }

    @Test func setChangesVersionNotesAndModelButNotTheFile() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        let added = try repository.add(try file(directory, "fw.z", bytes: 100), vendor: .fanvil, version: "2.10")
        let other = try repository.add(try file(directory, "x4.z", bytes: 10), vendor: .fanvil, model: "X4")
        var revision = try store.revision()
        let changed = try repository.update(id: added.id!, version: "2.12", notes: "lab  test", model: "  X6U   Pro ")
        #expect(changed.model == "X6U Pro" && changed.version == "2.12" && changed.notes == "lab  test")
        #expect(changed.fileName == added.fileName && changed.sha256 == added.sha256 && changed.size == added.size && changed.path == added.path)
        #expect(try repository.record(id: added.id!) == changed)
        #expect(try store.revision() > revision, "phones must see the row's new model")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: repository.directory.path).sorted()
                == [
                    "\(added.id!)-\(added.sha256)", "\(other.id!)-\(other.sha256)",
                ].sorted())
        // Absent fields stay; the same values again write nothing.
        revision = try store.revision()
        #expect(try repository.update(id: added.id!, notes: "lab  test") == changed)
        #expect(try store.revision() == revision)
        // Refused: an unknown id, bad values, and a model another row is for however it is spelled. Nothing is written.
        #expect(throws: StoreError.notFound("no firmware with id 99")) { try repository.update(id: 99, version: "1") }
        #expect(throws: StoreError.self) { try repository.update(id: added.id!, version: "1\n2") }
        #expect(throws: StoreError.self) { try repository.update(id: added.id!, notes: String(repeating: "n", count: 257)) }
        #expect(throws: StoreError.self) { try repository.update(id: added.id!, version: "3", model: "X6U\tPro") }
        #expect(throws: StoreError.conflict("a Fanvil firmware for x4 exists already; remove it or replace its file")) {
            try repository.update(id: added.id!, version: "3", model: "x4")
        }
        #expect(
            throws: StoreError.conflict(
                "a Fanvil firmware for x6u-pro exists already (id \(added.id!), model 'X6U Pro'); remove it or replace its file")
        ) {
            try repository.add(try file(directory, "pro.z", bytes: 10), vendor: .fanvil, model: "x6u-pro")
        }
        #expect(try repository.record(id: added.id!) == changed)
        #expect(try store.revision() == revision)
        // An empty model makes it the vendor-wide row again; only one such row per vendor.
        #expect(try repository.update(id: added.id!, model: "").model == "")
        #expect(throws: StoreError.conflict("a Fanvil firmware for all models exists already; remove it or replace its file")) {
            try repository.update(id: other.id!, model: " ")
        }
    }

    /// A file replaced while its row is changed keeps the change: the replacement writes only the file's fields.
    @Test func aReplacementKeepsAChangeMadeWhileItsBytesArrived() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        let added = try repository.add(try file(directory, "a.z", bytes: 10), vendor: .fanvil, version: "1")
        let upload = try repository.beginReplacement(id: added.id!, fileName: "b.z", declaredSize: 20)
        try upload.write(Data(repeating: 5, count: 20))
        try repository.update(id: added.id!, version: "2", model: "X6U Pro")
        let replaced = try upload.finish()
        #expect(replaced.fileName == "b.z" && replaced.size == 20 && replaced.version == "2" && replaced.model == "X6U Pro")
        let stored = try #require(try repository.record(id: added.id!))
        #expect(stored.fileName == "b.z" && stored.sha256 == replaced.sha256 && stored.version == "2" && stored.model == "X6U Pro")
    }
}
