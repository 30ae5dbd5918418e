/// The product version: the one place it is written. `packaging/build-deb.sh` reads `number` from this
/// file for the package version, so keep it a plain string literal.
enum ProductVersion {
    static let number = "0.7.0"

    /// The commit this binary was built from, when the build recorded one.
    ///
    /// `packaging/build-deb.sh` writes `BuildCommit.generated.swift` beside this file and builds with
    /// `-DAUTOPROVISION_BUILD_COMMIT`; any other build (a plain `swift build`, a source tarball) has none.
    static var commit: String? { BuildCommit.value }

    /// What `--version` prints: `0.7.0 (abc1234)`, or `0.7.0 (commit not recorded)`.
    static var full: String { "\(number) (\(commit ?? "commit not recorded"))" }
}

#if !AUTOPROVISION_BUILD_COMMIT
    /// No commit: this build was not made by `packaging/build-deb.sh`.
    enum BuildCommit {
        static let value: String? = nil
    }
#endif
