"""pytest plugin for ``test_sklearn_suite.py``: run scikit-learn's own tests with
fastenet's ``Lasso`` / ``ElasticNet`` in place of sklearn's.

Loaded with ``-p _sklearn_swap_plugin`` in a *subprocess* (the swap is global to that
interpreter). Importing it replaces ``sklearn.linear_model.Lasso`` / ``ElasticNet``
before pytest imports sklearn's test modules, so their ``from sklearn.linear_model
import Lasso, ElasticNet`` -- module globals and ``@pytest.mark.parametrize`` values
alike -- bind fastenet's classes. sklearn's internals (``LassoCV`` and the path
functions, which use ``sklearn.linear_model._coordinate_descent`` directly) are left
alone. ``$FASTENET_SWAP_SELECT`` restricts the run to named test functions and
``$FASTENET_SWAP_EXCLUDE`` (JSON list of regexes on "module.py::name[params]") drops
single parametrizations; each test report is appended as one JSON line to
``$FASTENET_SWAP_RESULTS``.
"""
from __future__ import annotations

import json
import os
import re

import sklearn.linear_model as _linear_model

import fastenet

SWAPPED = {"Lasso": fastenet.Lasso, "ElasticNet": fastenet.ElasticNet}
ORIGINAL = {name: getattr(_linear_model, name) for name in SWAPPED}
for _name, _cls in SWAPPED.items():
    setattr(_linear_model, _name, _cls)


def pytest_collection_modifyitems(session, config, items):
    """Keep only the test functions named in ``$FASTENET_SWAP_SELECT`` (a JSON list of
    "module.py::function"; all if unset), and check the swap reached every module."""
    selected = os.environ.get("FASTENET_SWAP_SELECT")
    patterns = json.loads(os.environ.get("FASTENET_SWAP_EXCLUDE", "[]"))
    excluded = [re.compile(p) for p in patterns]
    if selected is not None or excluded:
        wanted = None if selected is None else set(json.loads(selected))
        keep, drop = [], []
        for item in items:
            module = os.path.basename(str(item.path))
            key = f"{module}::{item.originalname}"
            ok = (wanted is None or key in wanted) and not any(
                p.search(f"{module}::{item.name}") for p in excluded)
            (keep if ok else drop).append(item)
        items[:] = keep
        config.hook.pytest_deselected(items=drop)
    for item in items:
        module = getattr(item, "module", None)
        for name, cls in SWAPPED.items():
            if module is not None and hasattr(module, name):
                assert getattr(module, name) is cls, (
                    f"{module.__name__}.{name} is not fastenet's: swap failed")


def pytest_runtest_logreport(report):
    path = os.environ.get("FASTENET_SWAP_RESULTS")
    if not path:
        return
    if report.when != "call" and report.outcome == "passed":
        return  # setup/teardown that passed: nothing to say
    longrepr = ""
    if report.outcome != "passed":
        longrepr = str(report.longrepr)[-4000:]
    record = {"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
              "wasxfail": hasattr(report, "wasxfail"), "longrepr": longrepr}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
