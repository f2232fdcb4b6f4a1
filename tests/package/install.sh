#!/bin/sh
# `make package-test`: installs the .deb with dpkg -i as a user would, checks what it put on the
# machine (the app, scimx, its man page and completions, the desktop entry and icons), starts the
# installed app under Xvfb and asks the installed scimx its version, then removes the package.
# Run as root (CI is); the package is removed again whatever happens.
set -eu
deb="$1"
if [ "$(id -u)" != 0 ]; then
	# dpkg -i needs root: CI runs as root, so there the test always runs.
	echo "package-test: SKIPPED (not root). Built $deb; install it by hand with: sudo dpkg -i $deb"
	exit 0
fi
name=$(dpkg-deb -f "$deb" Package)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
fail() { echo "package-test: $*" >&2; exit 1; }

dpkg -i "$deb" >/dev/null
trap 'dpkg -r "$name" >/dev/null 2>&1 || true' EXIT

[ "$(/usr/bin/scimx --version)" = "scimx $version" ] || fail "scimx --version said $(/usr/bin/scimx --version)"
[ -x /usr/bin/scim-explorer ] || fail "no /usr/bin/scim-explorer"
zcat /usr/share/man/man1/scimx.1.gz | grep -q '^\.TH' || fail "no scimx(1) man page"
man -w scimx >/dev/null 2>&1 || [ ! -x /usr/bin/man ] || fail "man does not find scimx"
bash -n /usr/share/bash-completion/completions/scimx || fail "the bash completion does not parse"
[ -s /usr/share/zsh/vendor-completions/_scimx ] || fail "no zsh completion"
[ -s /usr/share/fish/vendor_completions.d/scimx.fish ] || fail "no fish completion"
desktop=$(grep -l '^Exec=scim-explorer' /usr/share/applications/*.desktop) || fail "no desktop entry"
grep -q '^Name=SCIM Explorer$' "$desktop" || fail "the desktop entry is not named SCIM Explorer"
icon=$(sed -n 's/^Icon=//p' "$desktop")
ls /usr/share/icons/hicolor/*/apps/"$icon".png >/dev/null || fail "no icon $icon"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi

# The installed app starts, opens its window and stays up (its own config folder, no keychain needed).
home=$(mktemp -d)
shots=target/package-test
mkdir -p "$shots"
HOME="$home" SCIMX_CONFIG_DIR="$home/config" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
	/usr/bin/scim-explorer & app=$!
	for i in $(seq 1 60); do
		if xdotool search --onlyvisible --name "^SCIM Explorer$" >/dev/null 2>&1; then break; fi
		kill -0 $app 2>/dev/null || { echo "package-test: the installed app exited" >&2; exit 1; }
		sleep 0.5
	done
	xdotool search --onlyvisible --name "^SCIM Explorer$" >/dev/null || { echo "package-test: no window" >&2; exit 1; }
	sleep 3
	kill -0 $app || exit 1
	import -window root "$1/installed-app.png" || true
	kill $app' sh "$shots" || fail "the installed app did not run"
rm -rf "$home"

size() { stat -c %s "$1"; }
echo "package-test: installed $name $version: .deb $(size "$deb") bytes, app $(size /usr/bin/scim-explorer) bytes, scimx $(size /usr/bin/scimx) bytes; window in $shots/installed-app.png"
