# `make run` and `make test` do all setup from nothing: venv, pinned CPU torch, the project, the model.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup model index run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The exact torch pin first: it is the local CPU wheel; anything looser pulls GBs of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

model: setup
	$(BIN)/python -c "from qa.embed import model_path; from qa.settings import Settings; print(model_path(Settings()))"

index: model
	$(BIN)/qa index

run: index
	$(BIN)/python app.py

test: model
	$(BIN)/ruff check qa tests bench app.py
	$(BIN)/mypy qa
	$(BIN)/pytest -q

bench: model
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/quality.py --distractors
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) index/*.json index/*.jsonl index/*.npy index/*.faiss
