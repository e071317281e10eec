# Two commands matter: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HYPOTHESIS_PROFILE ?= ci

.PHONY: demo test lint typecheck unit bench bench-startup bench-partial bench-verify bench-batch soak fuzz fuzz-packs stress traceability generate dist clean

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

# Everything the suite needs, in order of cost.  pytest's exit code 5 means it collected
# no tests at all (a broken path or filter): that is said out loud and fails the target.
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m simcancel lint
	$(BIN)/python -m simcancel._generated --check
	$(BIN)/python -m simcancel traceability --check docs/traceability.md --strict
	@echo "HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q --cov --cov-report=term"; \
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q --cov --cov-report=term; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$status

# Regenerate what is generated from the code: rules/schema.json, schemas/*.schema.json, the
# fact table of the docs.
generate: $(STAMP)
	$(BIN)/python -m simcancel._generated

# Regenerate docs/traceability.md; a failed run leaves the old file in place.
traceability: $(STAMP)
	$(BIN)/python -m simcancel traceability > docs/traceability.md.tmp
	mv docs/traceability.md.tmp docs/traceability.md

# The sdist and the wheel, in dist/ (docs/install.md: install the wheel anywhere).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_assess.py

# simcancel assess FILE against import simcancel, CPU ms of child processes (BEFORE=an older tree).
bench-startup: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py $(if $(BEFORE),--before $(BEFORE))

# assess_partial and next_questions per call with 0/3/10/all fields unknown, next to assess();
# and how many questions an interview asks before the route is determined.
bench-partial: $(STAMP)
	$(BIN)/python benchmarks/bench_partial.py

# How verify grows with provider-specific thresholds (20/50/100/200 providers).
bench-verify: $(STAMP)
	$(BIN)/python benchmarks/bench_verify.py

# assess_many over Dask with 1 and 2 worker processes; RSS of 1M states streamed.
bench-batch: $(STAMP)
	$(BIN)/python benchmarks/bench_batch.py

# Long fuzz (issue 4): SIMCANCEL_FUZZ_EXAMPLES examples shared out over tests/test_fuzz.py,
# in two processes (state parsing | raw text, bytes and rule files) to use both cores;
# then random rule packs (issue 13: fuzz-packs below).
FUZZ_EXAMPLES ?= 1000000
FUZZ_STATE := state_mutations or arbitrary_data or corrupted_json
fuzz: $(STAMP)
	SIMCANCEL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
		--hypothesis-show-statistics tests/test_fuzz.py -k "$(FUZZ_STATE)" & a=$$!; \
	SIMCANCEL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
		--hypothesis-show-statistics tests/test_fuzz.py -k "not ($(FUZZ_STATE))" & b=$$!; \
	wait $$a; ra=$$?; wait $$b; rb=$$?; test $$ra -eq 0 -a $$rb -eq 0
	$(MAKE) fuzz-packs

# Random rule packs for FUZZ_PACK_MINUTES: each is loaded, verified, assessed (durable
# against the reference) and rendered in a worker process with a timeout per phase, so a
# durable hang is reported, not waited on.  Packs that failed, hung or crashed are kept in
# fuzz-packs-found/.  The summary counts packs, loads, verifications, states, renderings.
FUZZ_PACK_MINUTES ?= 14
fuzz-packs: $(STAMP)
	$(BIN)/python -m tests.fuzz_packs --minutes $(FUZZ_PACK_MINUTES) --keep fuzz-packs-found

# 8 threads x 10,000 assessments, compared with sequential evaluation (issue 4).
stress: $(STAMP)
	SIMCANCEL_LONG=1 $(BIN)/python -m pytest -q tests/test_concurrency.py

soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache .hypothesis fuzz-packs-found
