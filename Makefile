# SCIM Explorer: `make run` to use it, `make test` to check everything. Both install what is missing.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
APP := target/debug/scim-explorer
TAURI_DRIVER_VERSION := 2.1.0

# Debian packages: building the app, then running and testing it headless (see README).
DEB_BUILD := build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev file
DEB_TEST := xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools imagemagick \
	fonts-dejavu-core keyutils chromium curl python3-venv xdotool
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: help setup system-deps tauri-driver ui-deps ui build run dev test lint py-deps peers keychain e2e-keychain fmt-check clippy layering rust-test \
	fixtures ui-oracle bindings bindings-check ui-check ui-unit ui-browser e2e bench package package-test fuzz fuzz-replay clean

help:
	@echo "make run       install what is missing, build, open the app"
	@echo "make test      install what is missing, then every gate (fmt, clippy, tests, UI, e2e)"
	@echo "make dev       the app against the Vite dev server (hot reload)"
	@echo "make bindings  regenerate ui/src/lib/bindings.ts from the Rust commands"
	@echo "make fixtures  regenerate the browser harness's answers from the Rust services"
	@echo "make bench     run the benchmarks, write docs/BENCHMARKS.md"
	@echo "make package   build a .deb under target/release-package/bundle/deb (make package-test installs it)"
	@echo "make fuzz      run each fuzz target for FUZZ_SECONDS (default 60)"

# ---- set-up -------------------------------------------------------------------------------------------
setup: system-deps tauri-driver ui-deps

system-deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "Missing Debian packages. Install them with:"; \
		echo "  sudo apt-get update && sudo apt-get install -y $$missing"; \
		exit 1; \
	fi

tauri-driver:
	@command -v tauri-driver >/dev/null || [ -x "$${CARGO_HOME:-$$HOME/.cargo}/bin/tauri-driver" ] || \
		$(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)

# npm ci only when the lockfile changed since the last install.
ui-deps: ui/node_modules/.installed
ui/node_modules/.installed: ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund
	@touch $@

# ---- build and run ------------------------------------------------------------------------------------
ui: ui-deps
	cd ui && $(NPM) run build

build: ui
	$(CARGO) build -p scim-explorer

run: setup build
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "No display: run it as \`xvfb-run make run\` on a headless machine."; fi
	./$(APP)

dev: setup
	cd ui && $(NPM) run tauri -- dev -- --no-default-features

# ---- gates --------------------------------------------------------------------------------------------
test: setup ui lint rust-test fuzz-replay bindings-check ui-check ui-unit ui-browser keychain peers e2e e2e-keychain package-test
	@echo "All gates passed."

lint: fmt-check clippy layering
fmt-check:
	$(CARGO) fmt --all --check
clippy: ui
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# Dependencies point one way (core <- client <- base <- audit <- conformance <- services <- shells):
# tools/layering.py lists every edge it allows, and why. The core also stays free of I/O crates even
# transitively.
layering:
	@python3 tools/layering.py
	@bad=$$($(CARGO) tree -p scim-core -e normal --prefix none | grep -E '^(tokio|reqwest|tauri|hyper|axum|mio) ' || true); \
	if [ -n "$$bad" ]; then echo "scim-core must stay free of I/O crates, found: $$bad"; exit 1; fi

rust-test: ui
	@# The integration tests run scimx as built alone (its features differ from the workspace's):
	@# built here so no test's time limit pays for a cold build.
	$(CARGO) build -p scimx --locked
	$(CARGO) nextest run --workspace --locked --no-fail-fast

# The browser harness's canned answers, computed by the services code (ui/tests/browser/fixtures).
fixtures:
	UPDATE_FIXTURES=1 $(CARGO) test -p scim-services --test browser_fixtures

bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p scim-explorer --lib ipc::tests::committed_bindings_are_up_to_date
bindings-check: ui
	$(CARGO) test -p scim-explorer --lib --locked ipc::tests::committed_bindings_are_up_to_date

ui-check: ui-deps
	cd ui && $(NPM) run check
ui-unit: ui-deps
	cd ui && $(NPM) test
# The harness's computed answers come from the ui-oracle (tests/ui_oracle): the services code over loopback.
ui-oracle:
	$(CARGO) build -p scim-explorer-tests --bin ui-oracle --locked
ui-browser: ui-deps ui-oracle
	cd ui && $(NPM) run test:browser

# Secrets against a real Secret Service: gnome-keyring unlocked on a private session bus, in throw-away
# XDG directories, so nobody's keyring is touched.
keychain:
	$(CARGO) build -p scimx --locked
	@tmp=$$(mktemp -d); mkdir -p $$tmp/data $$tmp/run; chmod 700 $$tmp/run; \
	XDG_DATA_HOME=$$tmp/data XDG_RUNTIME_DIR=$$tmp/run dbus-run-session -- sh -c \
	  'eval "$$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null; export GNOME_KEYRING_CONTROL; exec $(CARGO) nextest run -p scim-explorer-tests --profile keychain --locked'; \
	rc=$$?; rm -rf $$tmp; exit $$rc

# python-scim's scim2-server and scim2-tester, pinned, in a venv under target/ (PyPI only).
PY_DEPS := scim2-server==0.8.3 scim2-tester==0.5.2 scim2-client==0.13.2 scim2-models==0.12.3 httpx2==2.16.2
py-deps: target/pyenv/.installed
target/pyenv/.installed: Makefile
	python3 -m venv target/pyenv
	target/pyenv/bin/pip install --quiet --disable-pip-version-check $(PY_DEPS)
	@touch $@

# Tests against real third-party SCIM software.
peers: py-deps ui-deps
	$(CARGO) build -p scimx --locked
	$(CARGO) nextest run -p scim-explorer-tests --profile peers --locked

# Real app window: tauri-driver + WebKitWebDriver under Xvfb, in a private session bus with an unlocked
# throw-away gnome-keyring. E2E_PROFILE picks the nextest profile. It runs in its own PID and mount
# namespace when the machine allows (root): whatever the test's processes signal or mount (the
# document portal's FUSE mount) stays inside and goes away with it.
E2E_PROFILE ?= e2e
# (xvfb-run runs as a child of a shell there: as the namespace's init it would not get Xvfb's ready signal.)
E2E_ISOLATE = $(if $(shell unshare --pid --fork --mount-proc true 2>/dev/null && echo ok),unshare --pid --fork --mount-proc --kill-child sh -c '"$$@"; exit $$?' isolate)
e2e: build tauri-driver
	@tmp=$$(mktemp -d); mkdir -p $$tmp/data $$tmp/run; chmod 700 $$tmp/run; \
	rc=0; XDG_DATA_HOME=$$tmp/data XDG_RUNTIME_DIR=$$tmp/run $(E2E_ISOLATE) $(XVFB) dbus-run-session -- sh -c \
	  'eval "$$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null; export GNOME_KEYRING_CONTROL; exec $(CARGO) nextest run -p scim-explorer-tests --profile $(E2E_PROFILE) --locked' || rc=$$?; \
	for m in $$(mount | awk -v d="$$tmp" 'index($$3, d) == 1 {print $$3}'); do fusermount -u "$$m" 2>/dev/null || umount -l "$$m"; done; \
	rm -rf $$tmp; exit $$rc
	@echo "Screenshots: target/e2e/*.png"

# Add a connection in the window, restart the app, open it again (token from the keychain).
e2e-keychain:
	$(MAKE) e2e E2E_PROFILE=e2e-keychain

# ---- the rest -----------------------------------------------------------------------------------------
# Benchmarks print Markdown tables; this writes them with the machine and date into docs/BENCHMARKS.md.
# The memory bench's directory sizes: 200,000 users bring a group of 200,000 members; a million users
# need about 15 GiB for the demo server.
MEMORY_USERS ?= 100000,200000,1000000
bench: py-deps ui-deps ui-oracle
	$(CARGO) bench -p scim-core --bench core --locked > target/bench-core.md
	$(CARGO) build --release -p scim-demo-server --locked
	$(CARGO) bench -p scim-client --bench load --locked > target/bench-load.md
	$(CARGO) bench -p scim-services --bench table --locked > target/bench-table.md
	$(CARGO) bench -p scim-services --bench audit --locked > target/bench-audit.md
	$(CARGO) build --release -p scimx --locked
	$(CARGO) bench -p scimx --bench listing --locked > target/bench-listing.md
	MEMORY_USERS=$(MEMORY_USERS) $(CARGO) bench -p scim-services --bench memory --locked > target/bench-memory.md
	$(CARGO) bench -p scim-tap --bench overhead --locked > target/bench-tap.md
	cd ui && node tests/browser/perf.mjs > ../target/bench-ui.md
	@{ \
		echo "# Benchmarks"; echo; \
		echo "Written by \`make bench\`; numbers from one run (best of 3 iterations each), as ratios against the named floor."; echo; \
		echo "- Date: $$(date -u +%Y-%m-%d)"; \
		echo "- Machine: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $$(nproc) cores, $$(free -g | awk '/Mem:/{print $$2}') GiB RAM, $$(uname -sr)"; \
		echo "- Toolchain: $$(rustc --version)"; echo; \
		echo "## Protocol core (scim-core)"; echo; \
		cat target/bench-core.md; echo; \
		echo "## HTTP client (scim-client)"; echo; \
		cat target/bench-load.md; echo; \
		echo "## Browse screens, Rust side (scim-services)"; echo; \
		cat target/bench-table.md; echo; \
		echo "## Snapshot and compare, end to end (scim-services)"; echo; \
		cat target/bench-audit.md; echo; \
		echo "## Listing end to end (scimx users list)"; echo; \
		cat target/bench-listing.md; echo; \
		echo "## A loaded directory's memory (scim-services, as the app holds it)"; echo; \
		cat target/bench-memory.md; echo; \
		echo "## SCIM Tap overhead (scimx tap)"; echo; \
		cat target/bench-tap.md; echo; \
		echo "## Browse screens, UI side (headless Chromium $$(/usr/bin/chromium --version 2>/dev/null | awk '{print $$2}'))"; echo; \
		cat target/bench-ui.md; echo; \
		cat docs/bench-notes.md; \
	} > docs/BENCHMARKS.md
	@cat docs/BENCHMARKS.md

# The .deb: the app (the release-package profile: tuned for size), and scimx with its man
# page and bash/zsh/fish completions (made by scimx itself) under /usr. `make package-test` installs it.
DIST := target/dist
package: setup
	$(CARGO) build --profile release-package -p scimx --locked
	mkdir -p $(DIST)
	./target/release-package/scimx man | gzip -9n > $(DIST)/scimx.1.gz
	./target/release-package/scimx completions bash > $(DIST)/scimx.bash
	./target/release-package/scimx completions zsh > $(DIST)/_scimx
	./target/release-package/scimx completions fish > $(DIST)/scimx.fish
	cd ui && $(NPM) run tauri -- build --bundles deb -- --profile release-package --locked
	@ls -l target/release-package/bundle/deb/*.deb target/release-package/scim-explorer target/release-package/scimx

# Installs the .deb with dpkg as a user would, checks what it put where, starts the installed app under
# Xvfb and asks scimx its version, then removes the package again (root only: CI runs as root).
package-test: package
	sh tests/package/install.sh target/release-package/bundle/deb/*.deb

# Coverage-guided fuzzing of the protocol core (libFuzzer via cargo-fuzz on the nightly toolchain).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := filter_parse path_parse list_response patch_apply raw_page diff_pairs dialects bulk_response \
	datetime html_body secrets_mask retry_after curl_quote csv_writer stored_files
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		if [ -d fuzz/corpus_seed/$$t ]; then cp -n fuzz/corpus_seed/$$t/* fuzz/corpus/$$t/ 2>/dev/null || true; fi; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		(cd fuzz && $(CARGO) +nightly fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 2>&1 | tail -n 12) || exit 1; \
	done

# The fuzz targets build on stable (libFuzzer without instrumentation), and every kept input — the
# seed corpora, the regressions, and the grown corpus where `make fuzz` ran — replays as a test.
fuzz-replay:
	cd fuzz && $(CARGO) build --bins --locked && $(CARGO) test --locked --test replay

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules
