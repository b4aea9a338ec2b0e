"""Check-worthiness scoring with the fitted linear model shipped beside this module.

The model (``checkworthiness.json``) is produced by ``bench/fit_checkworthiness.py``. The score
is a logistic probability; the reasons are the interpretable cues that moved it the most.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from claimdesk.core.features import CUE_NAMES, cues, lexical_terms

_REASON_MIN = 0.15  # smallest contribution (in log-odds) worth reporting as a reason
_NEVER_REASONS = frozenset({"length", "short", "negation", "past_tense"})


# Editorial framing ("... shows the seriousness of ...", "underscores the need ...") is the
# writer's assessment, not a checkable fact. It is rare in the debate data the model was fitted
# on, so it gets a fixed penalty on top of the fitted weights.
_EVALUATIVE = re.compile(
    r"\b(?:shows?|showed|highlights?|highlighted|underscores?|underscored|demonstrates?|"
    r"illustrates?|reflects?|signals?|speaks? to|points? to)\s+(?:the\s+|a\s+)?(?:\w+\s+)?"
    r"(?:seriousness|gravity|importance|significance|complexit(?:y|ies)|need|urgency|fragility|"
    r"depth|extent|difficulty|challenges?|tensions?|failure|weakness|strength)\b",
    re.I,
)
EVALUATIVE_PENALTY = 2.0


@dataclass(frozen=True)
class Model:
    version: str
    threshold: float
    bias: float
    cues: dict[str, float]
    terms: dict[str, float]


@dataclass(frozen=True)
class Score:
    value: float
    reasons: tuple[str, ...]


@lru_cache(maxsize=1)
def load_model() -> Model:
    raw: dict[str, Any] = json.loads(
        files("claimdesk.core").joinpath("checkworthiness.json").read_text(encoding="utf-8")
    )
    return Model(
        version=str(raw["model_version"]),
        threshold=float(raw["threshold"]),
        bias=float(raw["bias"]),
        cues={str(k): float(v) for k, v in raw["cues"].items()},
        terms={str(k): float(v) for k, v in raw["terms"].items()},
    )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def log_odds(text: str, model: Model | None = None) -> tuple[float, dict[str, float]]:
    """The model's log-odds for ``text`` and each cue's contribution to it."""
    model = model or load_model()
    contributions = {
        name: model.cues.get(name, 0.0) * value for name, value in cues(text).items() if value
    }
    terms = lexical_terms(text)
    # Each term present counts 1/sqrt(number of terms in the text), as when fitted.
    weights = [model.terms[t] for t in terms if t in model.terms]
    lexical = sum(weights) / math.sqrt(len(terms)) if weights else 0.0
    if _EVALUATIVE.search(text):
        contributions["opinion"] = contributions.get("opinion", 0.0) - EVALUATIVE_PENALTY
    return model.bias + sum(contributions.values()) + lexical, contributions


def score_text(text: str, model: Model | None = None) -> Score:
    """Probability that ``text`` is check-worthy, with readable reasons (strongest first)."""
    z, contributions = log_odds(text, model)
    ranked = sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    reasons = tuple(
        CUE_NAMES[name]
        for name, c in ranked
        if abs(c) >= _REASON_MIN and name not in _NEVER_REASONS
    )
    return Score(_sigmoid(z), reasons)


def split_reasons(
    reasons: Sequence[str], model: Model | None = None
) -> tuple[list[str], list[str]]:
    """``reasons`` (as ``score_text`` names them) split into those that raised the score and
    those that lowered it (penalties such as opinion, question, prediction), by the sign of
    each cue's weight in the model."""
    model = model or load_model()
    against = {CUE_NAMES[name] for name, weight in model.cues.items() if weight < 0}
    against.add(CUE_NAMES["opinion"])  # the evaluative-language penalty is always against
    return [r for r in reasons if r not in against], [r for r in reasons if r in against]
