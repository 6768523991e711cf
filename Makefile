# blinkline — common tasks. `make help` lists them.
CARGO ?= cargo
MUSL_TARGET := x86_64-unknown-linux-musl
BIN := target/release/blinkline

.PHONY: help demo build release musl test lint fmt loom miri fuzz bench perf-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

demo: release ## build release and render the built-in sample payload
	@$(BIN) --sample
	@$(BIN) explain --sample

build: ## debug build
	$(CARGO) build

release: ## release build (static musl when the target is installed, else glibc)
	@if rustup target list --installed 2>/dev/null | grep -q $(MUSL_TARGET); then \
		$(CARGO) build --release --target $(MUSL_TARGET) && \
		mkdir -p target/release && cp target/$(MUSL_TARGET)/release/blinkline $(BIN) && \
		echo "built $(BIN) (static, musl)"; \
	else \
		$(CARGO) build --release && echo "built $(BIN) (glibc; 'rustup target add $(MUSL_TARGET)' for a faster-starting static build)"; \
	fi

test: lint ## fmt check, clippy -D warnings, and every test
	$(CARGO) test --all-targets
	$(CARGO) test --doc

lint: ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt

loom: ## loom model tests of the lock-free structures
	RUSTFLAGS="--cfg crossbeam_loom" CARGO_TARGET_DIR=target/loom $(CARGO) test --release --test loom_queue

miri: ## the engine's unit tests under miri (needs the nightly toolchain)
	@if rustup toolchain list | grep -q nightly; then \
		MIRIFLAGS="-Zmiri-tree-borrows -Zmiri-ignore-leaks" $(CARGO) +nightly miri test --lib engine::; \
	else echo "miri: no nightly toolchain installed; skipping"; fi

fuzz: ## run every fuzz target for 60 s (needs cargo-fuzz)
	@$(MAKE) -C fuzz run-all

bench: ## criterion benchmarks
	$(CARGO) bench

perf-check: ## performance regression guard: 0 allocations/frame, process wall <= 1.5x floor, RSS
	$(CARGO) build --release --bins
	BIN=target/release/blinkline scripts/perf-check.sh

clean:
	$(CARGO) clean
