import AMI
import Doctor
import Foundation
import Provisioning

/// A real store in a directory of its own, removed when the test ends.
final class TestStore: Sendable {
    let directory: String
    let store: ProvisioningStore
    var path: String { store.path }

    init() throws {
        directory = NSTemporaryDirectory() + "doctor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try ProvisioningStore(path: "\(directory)/test.sqlite", defaultHost: "127.0.0.1")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func context(agi: String = "127.0.0.1:4573", tftp: String = "0.0.0.0:69", ami: AMIConfiguration? = nil) throws -> DoctorContext {
        DoctorContext(databasePath: path, store: store, settings: try store.settings(), agiAddress: agi, tftpAddress: tftp, ami: ami)
    }
}
