"""The shipped check-worthiness weights are reproduced by the fitting script in bench/."""

from __future__ import annotations

import importlib.util
import json
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "checkworthiness"


def _fitter() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fit_cw", REPO / "bench" / "fit_checkworthiness.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_model_loads() -> None:
    shipped = json.loads(files("claimdesk.core").joinpath("checkworthiness.json").read_text())
    assert 0 < shipped["threshold"] < 1
    assert set(shipped["cues"]) >= {"quantity", "date", "opinion", "question"}


@pytest.mark.skipif(not DATA.is_dir(), reason=f"check-worthiness data not found under {SHARED}")
def test_fitting_script_reproduces_the_shipped_weights() -> None:
    fitter = _fitter()
    refit = json.loads(fitter.dumps(fitter.fit(SHARED)))
    shipped = json.loads(files("claimdesk.core").joinpath("checkworthiness.json").read_text())
    assert refit["model_version"] == shipped["model_version"]
    assert refit["threshold"] == shipped["threshold"]
    assert refit["bias"] == pytest.approx(shipped["bias"], abs=1e-3)
    for name, weight in shipped["cues"].items():
        assert refit["cues"][name] == pytest.approx(weight, abs=1e-3), name
    for term in set(refit["terms"]) | set(shipped["terms"]):
        a, b = refit["terms"].get(term, 0.0), shipped["terms"].get(term, 0.0)
        if term in refit["terms"] and term in shipped["terms"]:
            assert a == pytest.approx(b, abs=1e-3), term
        else:  # only a weight right at the pruning cut-off may differ by float noise
            assert abs(a or b) < fitter.PRUNE + 1e-3, term
