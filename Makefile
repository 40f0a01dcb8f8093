# Tessera: the commands CI runs, runnable locally.
#   make run    the guided CLI demo (the desktop window comes with the app)
#   make test   installs what is missing, then lint + every test
#   make bench  criterion benchmarks and the search latency table
#   make lint   rustfmt and clippy

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export CARGO_TARGET_DIR ?= $(HOME)/.cache/tessera/target
export CARGO_TERM_COLOR ?= never
CARGO := cargo

.PHONY: run test bench lint deps build fmt

deps:
	@bash scripts/install-deps.sh

build: deps
	$(CARGO) build --locked -p tessera-cli

run: build
	@TESSERA_BIN="$(CARGO_TARGET_DIR)/debug/tessera" bash scripts/demo.sh

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

test: lint
	$(CARGO) test --locked --workspace
	# The clipboard, for real: a virtual X display, read back with xclip.
	TESSERA_TEST_CLIPBOARD=1 xvfb-run -a $(CARGO) test --locked -p tessera-cli --test cli copy
	# The keyring, for real: gnome-keyring's Secret Service in a private D-Bus session.
	bash scripts/test-keyring.sh

bench: deps
	$(CARGO) bench --locked -p tessera-core --bench core
	$(CARGO) bench --locked -p tessera-core --bench search
