# Transcript Reader — developer commands. `make run` and `make test` each set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export LANG ?= C.UTF-8

# Debian packages Qt needs: offscreen (tests) and a real X11 display (the app).
QT_DEBS_OFFSCREEN := libgl1 libegl1 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 libdbus-1-3 \
	libx11-6 fonts-dejavu-core
QT_DEBS_X11 := libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libxcb-shm0 libxcb-sync1 \
	libxcb-util1 libxrender1 libsm6 libice6

.PHONY: run test check setup setup-dev system-deps system-deps-x11 bench lint format clean bundle dist check-bundle

run: system-deps-x11 setup ## set up and open the app on the bundled transcript
	$(PY) -m desktop_app $(ARGS)

test: system-deps setup ## set up and run the whole test suite offscreen
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || $(MAKE) --no-print-directory apt DEBS="python3-venv python3-pip"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

system-deps:
	@$(MAKE) --no-print-directory apt DEBS="$(QT_DEBS_OFFSCREEN)"

system-deps-x11: system-deps
	@$(MAKE) --no-print-directory apt DEBS="$(QT_DEBS_X11)"

# Install the Debian packages in DEBS that are missing (as root, or with sudo when available).
apt:
	@missing=""; for p in $(DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null; then echo "note: not a Debian system; make sure Qt's libraries are present:$$missing"; exit 0; fi; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else \
			echo "warning: missing Debian packages (run as root to install):$$missing"; exit 0; fi; \
		echo "Installing Debian packages:$$missing"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

bench: setup ## print the benchmark figures (some read ../shared when present)
	for b in benchmarks/*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

DEV_STAMP := $(VENV)/.installed-dev

setup-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,dev]"
	touch $(DEV_STAMP)

check: setup-dev ## guard rails: lint, formatting and strict types (CI runs this before the tests)
	$(PY) -m ruff check desktop_app tests benchmarks packaging
	$(PY) -m ruff format --check desktop_app tests benchmarks packaging
	$(PY) -m mypy

lint: check

format: setup-dev ## apply the formatter and the safe lint fixes
	$(PY) -m ruff check --fix desktop_app tests benchmarks packaging
	$(PY) -m ruff format desktop_app tests benchmarks packaging

clean:
	rm -rf $(VENV) build dist .pytest_cache

# --- packaging (packaging/README.md) ---
bundle: system-deps-x11 setup ## build the one-folder app dist/transcript-reader/ with PyInstaller (bundles the xcb libraries)
	@$(MAKE) --no-print-directory apt DEBS="binutils $$($(PY) -c 'import sys; v = sys.version_info; \
		print(f"libpython{v[0]}.{v[1]}" if sys.base_prefix == "/usr" else "")')"
	PYTHON=$(PY) packaging/build.sh $(BUILD_ARGS)

dist: bundle ## dist/transcript-reader-VERSION-linux-ARCH.tar.gz: the bundle and its installer
	@version=$$($(PY) -c 'import desktop_app; print(desktop_app.__version__)'); \
	name=transcript-reader-$$version-linux-$$(uname -m); \
	tar -czf dist/$$name.tar.gz --owner=0 --group=0 --transform="flags=r;s,^,$$name/," \
		-C "$(CURDIR)/dist" transcript-reader -C "$(CURDIR)/packaging" install-linux.sh README.md; \
	echo "== dist/$$name.tar.gz: $$(du -h dist/$$name.tar.gz | cut -f1) (unpack, then ./$$name/install-linux.sh)"

check-bundle: bundle ## build the bundle and run the frozen app's --smoke-test offscreen
	packaging/check-bundle.sh
