# The two commands of the README: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp
# Debian packages the toolkit uses: libmagic (file types), tesseract (OCR), poppler (PDF to PNG), fonts (Noto,
# Droid fallback and Symbola: every script and emoji in reports); time (/usr/bin/time, for make bench-scale);
# chromium (the app's window, `evidence ui`, and its browser tests through Playwright).
DEB_PACKAGES := libmagic1 libsodium23 tesseract-ocr tesseract-ocr-eng poppler-utils fonts-dejavu-core fonts-liberation2 fonts-roboto fonts-noto-core fonts-droid-fallback fonts-symbola time chromium
DEMO_DIR := build/demo

.PHONY: deps system-deps test lint typecheck unit fuzz demo bench bench-scale clean

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if ! $(PYTHON) -c "import ensurepip, venv" 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,ui]'
	@touch $(STAMP)

deps: system-deps $(STAMP)

lint: deps
	$(VENV)/bin/ruff check evidence tests bench samples
	$(VENV)/bin/ruff format --check evidence tests bench samples

typecheck: deps
	$(VENV)/bin/mypy

unit: deps
	$(PY) -m pytest -q

test: lint typecheck unit

# Longer fuzzing of every importer (hypothesis; `make test` runs a few dozen examples each).
fuzz: deps
	EVIDENCE_FUZZ_EXAMPLES=2000 $(PY) -m pytest -q tests/reliability/test_fuzz.py

# The demo case is encrypted, as every new case, under the passphrase in EVIDENCE_PASSPHRASE when it is set, else
# under this demo-only one (never use it for a real case). `evidence unlock` keeps its key for the recipe's
# commands, so the passphrase is stretched once; `evidence lock` forgets it at the end.
DEMO_PASSPHRASE := demo only - never use this passphrase for a real case
demo: export EVIDENCE_PASSPHRASE ?= $(DEMO_PASSPHRASE)
demo: deps
	@rm -rf $(DEMO_DIR) build/demo-report.pdf
	$(PY) samples/make_samples.py build/samples
	$(VENV)/bin/evidence init $(DEMO_DIR) --title "Harassment of Jordan Lee by Alex Morgan" --tz Europe/London --no-contact-since 2026-03-01
	$(VENV)/bin/evidence -C $(DEMO_DIR) unlock --idle 5
	@# case.json holds the case's facts (for later commands), not evidence: everything else is imported.
	find build/samples -maxdepth 1 -type f ! -name case.json ! -name '.*' -print0 | sort -z | \
	  xargs -0 $(VENV)/bin/evidence -C $(DEMO_DIR) import
	@# The facts of samples/case.json, as a user types them: the people and their identifiers, the police report.
	$(VENV)/bin/evidence -C $(DEMO_DIR) person add "Jordan Lee" --role owner --id +447700900001 --id jordan.lee@example.org --basis "the owner's own"
	$(VENV)/bin/evidence -C $(DEMO_DIR) person add "Alex Morgan" --role respondent --id +447700900123 --id +447700900456 \
	  --id alex.morgan@example.net --id @alexmorgan.ldn --basis "saved contacts; signed their messages with their name"
	$(VENV)/bin/evidence -C $(DEMO_DIR) person link "Alex Morgan" --id +447700900789 --id alex.m.2026@example.net --id @alex.m.2 \
	  --basis "new number and accounts after blocking; same wording and pet names" --suspected
	@# Her WhatsApp export names the other party only "Alex", the name +447700900456 is saved under on her phone.
	$(VENV)/bin/evidence -C $(DEMO_DIR) person link "Alex Morgan" --id "Alex" \
	  --basis "display name of the other party in 'WhatsApp Chat with Alex.txt'; +447700900456 is saved as 'Alex' on Jordan's phone" --suspected
	$(VENV)/bin/evidence -C $(DEMO_DIR) person add "Sam Patel" --role third-party --id +447700900555 --id sam.patel@example.org --basis "mutual friend"
	$(VENV)/bin/evidence -C $(DEMO_DIR) case set --police-ref "Metropolitan Police Service CAD 4521/14MAR26 (reported 2026-03-14)"
	$(VENV)/bin/evidence -C $(DEMO_DIR) case set --relationship "former partner (five years); contact ended by Jordan on 2026-03-01" \
	  --actions-taken "blocked +447700900123 (2026-03-01), @alexmorgan.ldn (2026-03-12), WhatsApp (2026-03-18), @alex.m.2 (2026-03-20), +447700900456 (2026-03-22), +447700900789 (2026-04-06); reported to the Metropolitan Police on 101 on 2026-03-14 (CAD 4521/14MAR26), updated 2026-04-14"
	$(VENV)/bin/evidence -C $(DEMO_DIR) log
	$(VENV)/bin/evidence -C $(DEMO_DIR) timeline > $(DEMO_DIR)-timeline.txt
	$(VENV)/bin/evidence -C $(DEMO_DIR) verify
	@echo "Demo case: $(DEMO_DIR)  (timeline: $(DEMO_DIR)-timeline.txt, $$(wc -l < $(DEMO_DIR)-timeline.txt) entries)"
	$(VENV)/bin/evidence -C $(DEMO_DIR) report -o build/demo-report.pdf --profile lawyer --sign
	$(VENV)/bin/evidence -C $(DEMO_DIR) lock
	@echo "Demo case (encrypted; passphrase: \$$EVIDENCE_PASSPHRASE, else the Makefile's DEMO_PASSPHRASE): $(DEMO_DIR)"
	@echo "Demo report: $(abspath build/demo-report.pdf)"
	@echo "Open the demo case in the app: $(VENV)/bin/evidence -C $(DEMO_DIR) ui   (its passphrase: as above)"

bench: deps
	$(PY) bench/run.py --objects-mib 1024 --entries 100000
	$(PY) bench/report_speed.py --records 10000 --screenshots 300

# 100,000 and 1,000,000 records: import, timeline, stats, search, verify and a filtered report, each a whole
# process (/usr/bin/time), medians of 3 at 100k, with same-run anchors (iterparse, sha256sum). Not in `make test`.
bench-scale: deps
	$(PY) bench/scale.py --runs 3 --million

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache
