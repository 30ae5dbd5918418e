#!/usr/bin/env bash
# Builds autoprovision_<version>-1_<arch>.deb into OUTDIR from this checkout:
#   packaging/build-deb.sh OUTDIR
#
# The version is `number` in Sources/autoprovision/Support/ProductVersion.swift. The commit
# `--version` prints is `git rev-parse --short HEAD` (with "-modified" when tracked files differ),
# or $AUTOPROVISION_COMMIT when set (a build from a source tarball has no .git); with neither the
# binary says "commit not recorded". It reaches the binary through a generated Swift file that
# exists only while this script builds, compiled in by -DAUTOPROVISION_BUILD_COMMIT.
#
# Needs: the Swift toolchain, dpkg-dev (dpkg-shlibdeps), binutils (strip), gzip.
set -euo pipefail

out=${1:?usage: packaging/build-deb.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

version=$(sed -n 's/^ *static let number = "\([0-9][0-9A-Za-z.+~]*\)"$/\1/p' Sources/autoprovision/Support/ProductVersion.swift)
if [ -z "$version" ]; then
    echo "build-deb: no version number in Sources/autoprovision/Support/ProductVersion.swift" >&2
    exit 1
fi
# The Debian revision: the packaging of this upstream version.
package_version="$version-1"
arch=$(dpkg --print-architecture)

commit=${AUTOPROVISION_COMMIT:-}
if [ -z "$commit" ] && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git -C "$root" rev-parse --short=7 HEAD)
    git -C "$root" diff --quiet HEAD -- || commit="$commit-modified"
fi
if ! [[ "$commit" =~ ^[0-9A-Za-z._-]*$ ]]; then
    echo "build-deb: AUTOPROVISION_COMMIT '$commit' may hold only letters, digits, '.', '_' and '-'" >&2
    exit 1
fi

generated=Sources/autoprovision/Support/BuildCommit.generated.swift
stage=$(mktemp -d)
cleanup() {
    rm -rf "$stage"
    rm -f "$root/$generated"
}
trap cleanup EXIT

build=(swift build -c release --static-swift-stdlib --scratch-path "$root/.build-release" --product autoprovision)
if [ -n "$commit" ]; then
    cat >"$generated" <<SWIFT
#if AUTOPROVISION_BUILD_COMMIT
    /// Written by packaging/build-deb.sh for this build only.
    enum BuildCommit {
        static let value: String? = "$commit"
    }
#endif
SWIFT
    build+=(-Xswiftc -DAUTOPROVISION_BUILD_COMMIT)
fi

echo "build-deb: autoprovision $package_version ($arch), commit ${commit:-not recorded}"
started=$SECONDS
"${build[@]}"
echo "build-deb: release build took $((SECONDS - started)) s"
binary="$("${build[@]}" --show-bin-path)/autoprovision"

# The file tree, as installed.
install -D -m 0755 "$binary" "$stage/usr/bin/autoprovision"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/autoprovision"
install -D -m 0644 packaging/autoprovision.service "$stage/lib/systemd/system/autoprovision.service"
doc="$stage/usr/share/doc/autoprovision"
install -D -m 0644 README.md "$doc/README.md"
install -D -m 0644 packaging/debian/copyright "$doc/copyright"
{
    echo "autoprovision ($package_version) unstable; urgency=medium"
    echo
    echo "  * Release $version, built from commit ${commit:-(not recorded)}."
    echo
    # The commit's date, so the same checkout gives the same package.
    date=$(git -C "$root" log -1 --format=%cD 2>/dev/null || date -R)
    echo " -- Autoprovision maintainers <maintainers@autoprovision.invalid>  $date"
} | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
install -D -m 0644 packaging/debian/lintian-overrides "$stage/usr/share/lintian/overrides/autoprovision"
for conf in asterisk-conf/*.conf; do
    install -D -m 0644 "$conf" "$stage/usr/share/autoprovision/asterisk-conf/$(basename "$conf")"
done

# Depends: the Debian packages of the shared libraries the binary loads (dpkg-shlibdeps reads
# each library's symbols file, so the minimum versions are the ones the binary really needs),
# and adduser for postinst.
shlibs=$(mktemp -d)
mkdir -p "$shlibs/debian"
printf 'Source: autoprovision\n\nPackage: autoprovision\nArchitecture: any\n' >"$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "$stage/usr/bin/autoprovision" | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlibs"
if [ -z "$depends" ]; then
    echo "build-deb: dpkg-shlibdeps found no library dependencies" >&2
    exit 1
fi

mkdir -p "$stage/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "packaging/debian/$script" "$stage/DEBIAN/$script"
done
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: autoprovision
Version: $package_version
Architecture: $arch
Maintainer: Autoprovision maintainers <maintainers@autoprovision.invalid>
Installed-Size: $installed_size
Depends: adduser, $depends
Section: net
Priority: optional
Description: zero-touch provisioning of desk phones for Asterisk
 Autoprovision hands Yealink, Snom, Fanvil, Grandstream and Htek desk phones
 their configuration over HTTP, HTTPS and TFTP, answers SIP multicast
 plug-and-play, and takes the SIP accounts from Asterisk over AMI.
 .
 The package runs it as the systemd service autoprovision.service, as the
 system user autoprovision, with its database in /var/lib/autoprovision.
CONTROL

deb="$out/autoprovision_${package_version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), installed $((installed_size / 1024)) MB)"
