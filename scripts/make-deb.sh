#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: make-deb.sh OUT_DIR
# Builds raoe-rzram-dkms_<version>_all.deb into OUT_DIR and prints its path: the modules' sources
# in /usr/src/raoe-rzram-<version> with dkms.conf and the dkms/ steps, and maintainer scripts that
# do what dh_dkms's do. Files carry a fixed date, so the same sources give the same package.
. "$(dirname "$0")/lib.sh"

out=${1:?OUT_DIR}
name=raoe-rzram
stage=$out/deb-stage
src=$stage/usr/src/$name-$PACKAGE_VERSION
deb=$out/${name}-dkms_${PACKAGE_VERSION}_all.deb

step "package $name-dkms $PACKAGE_VERSION"
rm -rf "$stage"
mkdir -p "$src/rust" "$src/dkms" "$stage/DEBIAN" "$stage/usr/share/doc/$name-dkms" "$stage/etc/default" \
	"$stage/etc/modprobe.d"
cp "$TOP/Kbuild" "$TOP/LICENSE" "$TOP/VERSION" "$src/"
cp -r "$TOP/rust/raoe" "$TOP/rust/rzram" "$src/rust/"
cp "$TOP/dkms/lib.sh" "$TOP/dkms/prepare-kernel-tree.sh" "$TOP/dkms/build-modules.sh" "$src/dkms/"
cp "$TOP/LICENSE" "$stage/usr/share/doc/$name-dkms/copyright"
cp "$TOP/dkms/debian/default" "$stage/etc/default/$name"
# rzram in zram.ko's place, opt-in: its lines are commented out.
cp "$TOP/dkms/debian/rzram-as-zram.conf" "$stage/etc/modprobe.d/"
printf '%s\n' "/etc/default/$name" /etc/modprobe.d/rzram-as-zram.conf >"$stage/DEBIAN/conffiles"
subst() {
	sed "s/@VERSION@/$PACKAGE_VERSION/g" "$1" >"$2"
}
subst "$TOP/dkms/dkms.conf.in" "$src/dkms.conf"
subst "$TOP/dkms/debian/control.in" "$stage/DEBIAN/control"
for script in postinst prerm postrm; do
	subst "$TOP/dkms/debian/$script" "$stage/DEBIAN/$script"
	chmod 0755 "$stage/DEBIAN/$script"
done
find "$stage" -type d -exec chmod 0755 {} +
find "$stage/usr" "$stage/etc" "$stage/DEBIAN/conffiles" -type f -exec chmod 0644 {} +
chmod 0755 "$src/dkms/prepare-kernel-tree.sh" "$src/dkms/build-modules.sh"
find "$stage" -exec touch -h -d @0 {} +
SOURCE_DATE_EPOCH=0 dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null ||
	die "dpkg-deb failed"
echo "$deb"
