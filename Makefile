# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app quizapp

.PHONY: run test setup bench lint clean translations

# The interface's translations, compiled from the catalogs on every install.
CATALOGS := quizapp/translations
MO := $(patsubst %.po,%.mo,$(wildcard $(CATALOGS)/*/LC_MESSAGES/messages.po))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

$(CATALOGS)/%.mo: $(CATALOGS)/%.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

setup: $(VENV)/.installed $(MO)
	$(FLASK) setup

run: setup
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-dev $(MO)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev $(MO)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# After marking new interface strings: extract them and merge them into each catalog.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F $(CATALOGS)/babel.cfg -k _l -k N_ -k lazy_pgettext:1c,2 --no-location \
		--sort-output -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel -q update -N --ignore-obsolete -i $(CATALOGS)/messages.pot -d $(CATALOGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
