# Two commands set everything up on a fresh machine:
#   make certify   the kit certifies the reference target and writes its report
#   make test      the project's own tests, without MLflow and then with mlflow-skinny

PYTHON ?= python3
VENV := .venv
VENV_MLFLOW := .venv-mlflow
REPORTS := reports
PYTEST_FLAGS ?= -q -p no:cacheprovider
# The project's own suite is spread over two processes (pytest-xdist, in the dev extra).
TEST_FLAGS ?= $(PYTEST_FLAGS) -n 2

# MLflow 3 reports usage to an outside host unless told not to.
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1

.PHONY: certify test test-core test-mlflow test-compat compat lint docs-check docs benchmark clean

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev,docs]"
	touch $@

$(VENV_MLFLOW)/.installed: pyproject.toml
	test -x $(VENV_MLFLOW)/bin/python || $(PYTHON) -m venv $(VENV_MLFLOW)
	$(VENV_MLFLOW)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_MLFLOW)/bin/python -m pip install --quiet -e ".[dev,mlflow]"
	touch $@

certify: $(VENV)/.installed
	mkdir -p $(REPORTS)
	$(VENV)/bin/python -m pytest --deployment-target=memory \
		--conformance-report=$(REPORTS)/memory.json \
		--conformance-certificate=$(REPORTS)/CERTIFICATE.md $(PYTEST_FLAGS)
	@echo "report: $(REPORTS)/memory.json  certificate: $(REPORTS)/CERTIFICATE.md"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

docs-check: $(VENV)/.installed
	$(VENV)/bin/python docs/generate.py --check

docs: $(VENV)/.installed
	$(VENV)/bin/python -m mkdocs build --strict --site-dir site

test-core: $(VENV)/.installed
	$(VENV)/bin/python -m pytest tests $(TEST_FLAGS)

test-mlflow: $(VENV_MLFLOW)/.installed
	$(VENV_MLFLOW)/bin/python -m pytest tests $(TEST_FLAGS)

# Published plugins, and the reference target and the tutorial plugin under each supported
# MLflow (tests/compat/mlflow-matrix.json), each in a nox venv built once per machine under
# ~/.cache and rebuilt only when its inputs change; a published target whose venv cannot be
# built here is skipped with pip's reason.
test-compat: $(VENV)/.installed
	$(VENV)/bin/python -m pytest tests/compat -m compat $(PYTEST_FLAGS)

compat: $(VENV)/.installed
	$(VENV)/bin/python tests/compat/run_compat.py --write-docs

test: lint docs-check docs test-core test-mlflow test-compat

benchmark: $(VENV_MLFLOW)/.installed
	$(VENV_MLFLOW)/bin/python -m benchmarks

clean:
	rm -rf $(VENV) $(VENV_MLFLOW) $(REPORTS) .pytest_cache .hypothesis
