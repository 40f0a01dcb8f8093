# Tessera: the commands CI runs, runnable locally.
#   make run    opens the desktop app (release build); without a display, the CLI demo
#   make test   installs what is missing, then lint + every test (unit, integration,
#               CLI end-to-end, real clipboard and keyring, the app through WebDriver)
#   make fuzz   each fuzz target for FUZZ_SECONDS (300 by default; make test: 5 each)
#   make soak   the long runs: 1,000 SIGKILLed writers and password changes (in the
#               core and the CLI binary), and
#               1,000 app + 1,000 CLI actions on one vault at once
#   make bench  criterion benchmarks and the search latency table (bench-app: the app)
#   make lint   rustfmt, clippy and the UI's type check
#   make audit  cargo deny (advisories offline, licenses, bans, sources), npm audit
#   make deb    the .deb package

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export CARGO_TARGET_DIR ?= $(HOME)/.cache/tessera/target
export CARGO_TERM_COLOR ?= never
CARGO := cargo
TAURI := ui/node_modules/.bin/tauri

.PHONY: run demo test audit soak fuzz test-fuzz test-rust test-ui test-e2e test-deb bench bench-app lint deps ui app app-release deb fmt bindings

deps:
	@bash scripts/install-deps.sh

# `npm install`, not `npm ci`: npm ci rejects this lock file for the Tauri CLI's optional
# per-platform packages that are not installed here (a known npm limitation).
ui/node_modules/.package-lock.json: ui/package-lock.json
	npm --prefix ui install --no-audit --no-fund

ui: deps ui/node_modules/.package-lock.json
	npm --prefix ui run build

# The app as tests and screenshots need it: the UI served from the binary, and the
# test hooks (native dialogs answered from the environment) that a release lacks.
# With the CLI in one build of the workspace: built apart (`-p`), each resolves its
# own features of tokio, rustix and others, and a cold run builds those crates twice.
# `make lint` checks the test hooks the same way, for the same reason.
app: ui
	$(CARGO) build --locked --workspace --features tessera-app/custom-protocol,tessera-app/test-hooks

app-release: ui
	$(CARGO) build --locked --release -p tessera-app --features custom-protocol

run: deps
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  $(MAKE) --no-print-directory app-release && exec "$(CARGO_TARGET_DIR)/release/tessera-app"; \
	else \
	  echo "No display here (DISPLAY and WAYLAND_DISPLAY are unset): running the CLI demo instead."; \
	  $(MAKE) --no-print-directory demo; \
	fi

demo: deps
	$(CARGO) build --locked -p tessera-cli
	@TESSERA_BIN="$(CARGO_TARGET_DIR)/debug/tessera" bash scripts/demo.sh

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) clippy --locked --workspace --all-targets --features tessera-app/test-hooks -- -D warnings
	npm --prefix ui run check

fmt:
	$(CARGO) fmt --all

# Rewrites the window's TypeScript bindings from the Rust types: the declarations in
# ui/src/ipc/types/ and the constants in ui/src/ipc/bindings.gen.ts (`make test` fails
# while either is stale).
bindings:
	CARGO="$(CARGO)" bash scripts/bindings.sh write
	UPDATE_BINDINGS=1 $(CARGO) test -p tessera-app --lib typescript_bindings_are_current

# Tests keep rollback anchors (per-machine state) in a throwaway folder. The tests that
# need a display, mounts or a keyring run below, each where its environment is (under
# CI a missing environment fails them), so the first run skips them.
# Each `cargo test` below names the whole workspace and then its test (`--workspace
# --test NAME`): with `-p NAME` cargo resolves that package's features alone, and a
# cold run built some 300 crates a second time for them.
GATED_TESTS := copy_puts_the_secret_on_the_clipboard keyring_vaults_open_without_a_prompt storage:: keyring:: clipboard::
test-rust: ui
	state=$$(mktemp -d); trap 'rm -rf "$$state"' EXIT; \
	  CI=$${CI:-} TESSERA_STATE_HOME="$$state" TS_RS_EXPORT_DIR="$$state/ts" \
	  $(CARGO) test --locked --workspace -- $(addprefix --skip ,$(GATED_TESTS)) && \
	  bash scripts/bindings.sh check "$$state/ts"
	# The clipboard, for real: a virtual X display, read back with xclip.
	state=$$(mktemp -d); trap 'rm -rf "$$state"' EXIT; \
	  TESSERA_STATE_HOME="$$state" TESSERA_TEST_CLIPBOARD=1 xvfb-run -a $(CARGO) test --locked --workspace --test cli copy
	TESSERA_TEST_CLIPBOARD=1 xvfb-run -a $(CARGO) test --locked --workspace --test tests clipboard::
	# A real clipboard manager (CopyQ) watching what `tessera copy` puts there.
	state=$$(mktemp -d); trap 'rm -rf "$$state"' EXIT; \
	  TESSERA_STATE_HOME="$$state" TESSERA_TEST_CLIPBOARD=1 xvfb-run -a $(CARGO) test --locked --workspace --test clipboard_history -- --test-threads=1
	# A full disk and a read-only folder, for real: tmpfs and bind mounts in a private
	# mount namespace (root ignores permission bits; only a mount is truly read-only).
	state=$$(mktemp -d); trap 'rm -rf "$$state"' EXIT; \
	  TESSERA_STATE_HOME="$$state" TESSERA_TEST_MOUNTS=1 unshare -rm $(CARGO) test --locked --workspace --test tests storage
	# The keyring, for real: gnome-keyring's Secret Service in a private D-Bus session.
	bash scripts/test-keyring.sh

test-ui: ui
	npm --prefix ui test

test-e2e: app
	TESSERA_APP="$(CARGO_TARGET_DIR)/debug/tessera-app" TESSERA_CLI="$(CARGO_TARGET_DIR)/debug/tessera" \
	  bash tests/e2e/run.sh

audit: deps ui/node_modules/.package-lock.json
	bash scripts/audit.sh

# The parsers under libFuzzer (cargo fuzz on stable, no sanitizer): a few seconds each.
test-fuzz: deps
	bash scripts/fuzz.sh 5

fuzz: deps
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-300}

test: lint audit test-rust test-fuzz test-ui test-e2e test-deb

# `make test` runs 20 rounds of each crash test and 200 app + CLI actions; this runs
# 1,000 of each.
soak: deps
	state=$$(mktemp -d); trap 'rm -rf "$$state"' EXIT; \
	  TESSERA_STATE_HOME="$$state" TESSERA_CRASH_ROUNDS=$${TESSERA_CRASH_ROUNDS:-1000} $(CARGO) test --locked --release -p tessera-core --test tests crash -- --test-threads=1
	TESSERA_CRASH_ROUNDS=$${TESSERA_CRASH_ROUNDS:-1000} $(CARGO) test --locked --workspace --test crash
	TESSERA_CONCURRENCY_ACTIONS=$${TESSERA_CONCURRENCY_ACTIONS:-1000} $(CARGO) test --locked --workspace --test concurrency
	$(MAKE) --no-print-directory app
	TESSERA_CONCURRENCY_ACTIONS=$${TESSERA_CONCURRENCY_ACTIONS:-1000} E2E_ONLY="app and the CLI" \
	  TESSERA_APP="$(CARGO_TARGET_DIR)/debug/tessera-app" TESSERA_CLI="$(CARGO_TARGET_DIR)/debug/tessera" \
	  bash tests/e2e/run.sh

# The machine a benchmark's figures come from, printed before them.
MACHINE = Machine: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $$(nproc) cores, $$(date -u +%Y-%m-%dT%H:%MZ)

bench: deps
	@echo "$(MACHINE)"
	$(CARGO) bench --locked -p tessera-core --bench core
	$(CARGO) bench --locked -p tessera-core --bench search
	$(CARGO) build --locked --release -p tessera-cli
	$(CARGO) build --locked --release -p tessera-core --example seed
	bash scripts/bench-cli.sh
	bash scripts/bench-backup.sh
	bash scripts/bench-serve.sh
	$(CARGO) bench --locked -p tessera-sync --bench sync

# The desktop app on a 100,000-token vault: start, keystroke latency, memory.
bench-app: app-release
	@echo "$(MACHINE)"
	$(CARGO) build --locked --release -p tessera-core --example seed
	$(CARGO) build --locked --release -p tessera-cli
	bash scripts/bench-app.sh

# The bundler packages both of the app's binaries, tessera-app (the launcher) and
# tessera-window, and warns that it cannot mark tessera-app with the bundle type: the
# launcher has no Tauri in it, and only Tauri's updater, which Tessera lacks, reads it.
deb: ui
	$(CARGO) build --locked --release -p tessera-cli
	bash scripts/deb-files.sh "$(CARGO_TARGET_DIR)/release/tessera"
	CI=true $(TAURI) build --bundles deb
	bash scripts/deb-strip.sh "$$(ls "$(CARGO_TARGET_DIR)"/release/bundle/deb/*.deb)"

# The package, built from the debug binaries (the packaging is what is tested), then
# installed with apt, run from /usr/bin, checked with lintian and removed. Last in
# `make test`: it rebuilds the app without the test hooks the WebDriver suite needs.
# CI=true: the Tauri CLI reads CI as its --ci flag, which takes true or false only.
test-deb: ui
	$(CARGO) build --locked -p tessera-cli
	bash scripts/deb-files.sh "$(CARGO_TARGET_DIR)/debug/tessera"
	rm -rf "$(CARGO_TARGET_DIR)/debug/bundle/deb"
	CI=true $(TAURI) build --debug --bundles deb
	bash scripts/deb-strip.sh "$$(ls "$(CARGO_TARGET_DIR)"/debug/bundle/deb/*.deb)"
	bash tests/deb/install.sh "$$(ls "$(CARGO_TARGET_DIR)"/debug/bundle/deb/*.deb)"
