import Foundation
import Logging
import Testing

@testable import Provisioning

/// Fetches noted on several lanes (one per event loop) reach the database as one batch, each phone as of its latest fetch.
@Suite struct FetchRecorderTests {
    @Test func lanesAreMergedKeepingEachPhonesLatestFetch() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let one = try MACAddress(parsing: "001565000001")
        let two = try MACAddress(parsing: "001565000002")
        for mac in [one, two] {
            try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        }
        let recorder = FetchRecorder(store: store, logger: Logger(label: "test"), lanes: 2)
        let earlier = Date(timeIntervalSince1970: 1_800_000_000)
        let later = earlier.addingTimeInterval(5)
        // The later fetch of `one` sits on the lane flushed first, the earlier on the next: order of lanes must not decide.
        recorder.record(FetchEvent(mac: one, at: later, ip: "10.0.0.2", port: 5062), lane: 0)
        recorder.record(FetchEvent(mac: one, at: earlier, ip: "10.0.0.1", port: 5061), lane: 1)
        // Any lane number is taken modulo the lane count.
        recorder.record(FetchEvent(mac: two, at: earlier, ip: "10.0.0.3", port: 5063), lane: 7)
        recorder.flush()
        let first = try #require(try store.device(mac: one)).device
        #expect(first.lastIP == "10.0.0.2" && first.lastConfigFetch.map { abs($0.timeIntervalSince(later)) < 0.01 } == true)
        let second = try #require(try store.device(mac: two)).device
        #expect(second.lastIP == "10.0.0.3")
        // A flush leaves the lanes empty: a second one writes nothing over a newer value.
        try store.recordFetches([FetchEvent(mac: two, at: later, ip: "10.0.0.4", port: 5064)])
        recorder.flush()
        #expect(try #require(try store.device(mac: two)).device.lastIP == "10.0.0.4")
    }
}
