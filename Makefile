# Two commands matter: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HYPOTHESIS_PROFILE ?= ci

.PHONY: demo test lint typecheck unit bench soak fuzz traceability clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@for f in examples/*.json; do \
		echo "== $$f"; \
		$(BIN)/simcancel assess "$$f" --locale en; \
		echo "(exit code $$?)"; \
	done

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m simcancel lint
	$(BIN)/python -m simcancel traceability --check docs/traceability.md
	$(BIN)/python -m pytest -q

traceability: $(STAMP)
	$(BIN)/python -m simcancel traceability > docs/traceability.md

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_assess.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache .hypothesis
