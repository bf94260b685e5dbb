# `make run` and `make test` do all setup from nothing: venv, pinned CPU torch, the project, the model.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup browser ocr dictionary model index run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The exact torch pin first: it is the local CPU wheel; anything looser pulls GBs of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[milvus,dev]'
	touch $(STAMP)

setup: $(STAMP)

# The browser tests drive Debian's chromium through the playwright pip package (never `playwright install`).
browser:
	@command -v chromium >/dev/null || { echo "installing Debian chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Scanned pages and images are read by Debian's Tesseract with its English, Russian and Uzbek (both scripts) models.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus tesseract-ocr-uzb tesseract-ocr-uzb-cyrl
ocr:
	@langs="$$(tesseract --list-langs 2>/dev/null)"; \
	for code in eng rus uzb uzb_cyrl; do echo "$$langs" | grep -qx "$$code" || missing=1; done; \
	[ -z "$$missing" ] || { echo "installing Tesseract and its eng, rus, uzb, uzb_cyrl models for OCR"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; }

# Russian words the clinical glossary lacks take their English from Müller's English-Russian dictionary
# (Debian's mueller7-dict, GPL), read backwards (qa/languages/ru/dictionary.py).
dictionary:
	@[ -f /usr/share/dictd/mueller7.dict.dz ] && [ -f /usr/share/dictd/mueller7.index ] || { echo "installing Debian's Müller English-Russian dictionary"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mueller7-dict >/dev/null; }

model: setup
	$(BIN)/python -c "from qa.model.embed import model_path; from qa.settings import Settings; print(model_path(Settings.from_env()))"

index: model
	$(BIN)/qa index

run: ocr dictionary index
	$(BIN)/python app.py

test: model browser ocr dictionary
	$(BIN)/ruff check qa tests bench app.py
	$(BIN)/mypy qa
	$(BIN)/pytest -q

# The whole suite (quality vs baselines, speed, memory, scale to 1M vectors): bench/results/report.md + scale.png.
bench: model browser ocr dictionary
	$(BIN)/pip install --quiet -e '.[milvus,dev,bench]'
	$(BIN)/python -m bench suite
	$(BIN)/python -m bench ui
	$(BIN)/python -m bench ingest
	$(BIN)/python -m bench hostile
	$(BIN)/python -m bench load

clean:
	rm -rf $(VENV) index/CURRENT index/gen-* index/.staging-* index/.lock index/.readers
