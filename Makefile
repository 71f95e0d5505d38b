# The two commands a newcomer needs: `make run` and `make test`.
# Both set everything up first (.venv, pinned dependencies, Qt's system libraries).
# `make run` installs only what the app needs at run time; the targets for developers
# (test, lint, bench, ...) add the test and lint tools. One stamp per level, so
# switching between them installs only what is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
RUNTIME_LOCKS := packaging/requirements.txt packaging/requirements-build.txt
DEV_LOCKS := packaging/requirements-dev.txt packaging/requirements-lint.txt
PYTEST_ARGS ?=
FUZZ_ARGS ?= --files 20000 --payloads 20000 --cli 300 --seed 1 --out build/fuzz-findings

.PHONY: setup run test lint unit bench fuzz screenshots screenshots-wm package catalog vectors clean help

help:
	@echo "make run          set up and start the app"
	@echo "make test         set up and run lint, type checks and the whole test suite headless"
	@echo "make bench        print the benchmark figures"
	@echo "make fuzz         fuzz the vault reader (FUZZ_ARGS='--seed 2 ...'); not in make test"
	@echo "make screenshots  save PNGs of every screen into docs/screenshots/"
	@echo "make screenshots-wm  PNGs of real windows under Xvfb + openbox, docs/screenshots/wm/"
	@echo "make package      build a one-folder bundle with PyInstaller into dist/"

$(RUNTIME): pyproject.toml $(RUNTIME_LOCKS) packaging/bootstrap.sh
	@PYTHON=$(PYTHON) VENV=$(VENV) sh packaging/bootstrap.sh runtime
	@touch $@

$(DEV): $(RUNTIME) $(DEV_LOCKS)
	@PYTHON=$(PYTHON) VENV=$(VENV) sh packaging/bootstrap.sh dev
	@touch $@

setup: $(DEV)

run: $(RUNTIME)
	@sh packaging/linux/ensure-system-deps.sh display
	$(BIN)/vault-app

lint: $(DEV)
	$(BIN)/ruff check vault_app tests benchmarks resources packaging
	$(BIN)/mypy

test: $(DEV)
	@sh packaging/linux/ensure-system-deps.sh headless
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(DEV)
	@sh packaging/linux/ensure-system-deps.sh headless
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run_all.py

fuzz: $(DEV)
	$(BIN)/python -m tests.fuzz.fuzz_vault $(FUZZ_ARGS)

screenshots: $(DEV)
	@sh packaging/linux/ensure-system-deps.sh headless
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/screenshots.py docs/screenshots

# Real top-level windows under a window manager (needs xvfb, openbox, xdotool, imagemagick;
# skipped with a message without them). SCENES="edit-key ..." picks some.
screenshots-wm: $(DEV)
	@sh packaging/linux/ensure-system-deps.sh display
	$(BIN)/python packaging/screenshots_wm.py docs/screenshots/wm $(SCENES)

package: $(DEV)
	@sh packaging/linux/ensure-system-deps.sh headless
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r packaging/requirements-package.txt
	rm -rf dist/vault-app
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build \
		packaging/vault-app.spec
	sh packaging/smoke-bundle.sh dist/vault-app
	@du -sh dist/vault-app

catalog: $(RUNTIME)
	$(BIN)/python resources/make_exchange_catalog.py

vectors: $(DEV)
	$(BIN)/python tests/vectors/generate.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
