"""The (model, config) cases of the corpus/fixture differential tests, and their oracle
answers fetched in one go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .configs import BASE_CONFIGS, PRECISION_CONFIGS, Config
from .models import PRECISION_SUBSET, ModelCase, all_models


@dataclass(frozen=True)
class Case:
    model: ModelCase
    config: Config

    @property
    def id(self) -> str:
        return f"{self.model.name}[{self.config.name}]"

    def oracle_request(self) -> tuple:
        return (self.model.path, self.config.oracle_flags(self.model.sidecar_outputs(),
                                                          self.model.signature))


def all_cases(models: Iterable[ModelCase] = ()) -> list[Case]:
    """Every model in the four base configs; the precision subset in FP16 and INT8 too."""
    models = list(models) or all_models()
    cases = [Case(m, c) for m in models for c in BASE_CONFIGS]
    cases += [Case(m, c) for m in models if m.name in PRECISION_SUBSET for c in PRECISION_CONFIGS]
    return cases


def oracle_answers(cases: list[Case], session) -> dict[str, dict]:
    """{case id: oracle result} through one :class:`OracleSession` (cache first)."""
    results = session.ask_many([case.oracle_request() for case in cases])
    return {case.id: result for case, result in zip(cases, results)}
