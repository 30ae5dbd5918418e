extension ProvisioningStore {
    /// The Asterisk files for what the store holds now: settings, and every extension a BLF key watches.
    /// - Parameters:
    ///   - agiAddress: Where the daemon's FastAGI server listens.
    ///   - showSecret: Whether the guest secret is written, or masked for display.
    public func asteriskConfigFiles(agiAddress: String, showSecret: Bool) throws(StoreError) -> [(name: String, contents: String)] {
        var settings = try settings()
        if !showSecret { settings.guestSecret = "********" }
        let monitored = try devices().flatMap(\.keys).filter { $0.kind == .blf }.map(\.value)
        return AsteriskConfigFiles.render(settings: settings, agiAddress: agiAddress, monitored: monitored)
    }
}
