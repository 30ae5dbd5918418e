/// A device with its line bindings and template name, as listed to an admin.
public struct DeviceSummary: Hashable, Sendable {
    public var device: DeviceRecord
    public var lines: [LineBindingRecord]
    public var templateName: String?
    /// The programmable keys, in the phone's order.
    public var keys: [FunctionKey] = []

    /// The recorded vendor, else the one the MAC's prefix names.
    public var effectiveVendor: Vendor? {
        device.vendor ?? (try? device.address).flatMap(OUITable.vendor(for:))
    }
}
