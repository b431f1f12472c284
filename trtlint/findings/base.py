"""The lint rule base class and the rule registry.

Each rule is one small class in its own module under ``trtlint/findings/rules/``, in
the style of sqlfluff's rules: a stable ``id``, a ``name``, a default ``severity``,
and a docstring whose first line is the one-line summary and whose body shows the
anti-pattern and the fix (``trtlint explain ID`` prints it).  ``check`` reads the
:class:`~trtlint.analysis.Analysis` and yields findings; it never recomputes analysis.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Iterable, Optional

from .model import Finding

if TYPE_CHECKING:
    from ..analysis import Analysis

#: id prefix -> family (the catalog's grouping)
FAMILIES = {
    "TRT1": "shapes",
    "TRT2": "control flow",
    "TRT3": "quantization",
    "TRT4": "batch size",
    "TRT5": "segmentation",
    "TRT6": "precision and hardware",
    "TRT7": "graph hygiene",
    "TRT9": "conversion run",
}


class Rule:
    """Base class of lint rules."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[str] = "warning"

    def check(self, analysis: "Analysis") -> Iterable[Finding]:  # pragma: no cover
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------
    def finding(self, message: str, node: Optional[str] = None, fix: Optional[str] = None,
                severity: Optional[str] = None, segment: Optional[str] = None,
                **data) -> Finding:
        return Finding(self.id, severity or self.severity, message, node, fix, segment, data)

    @classmethod
    def summary(cls) -> str:
        doc = inspect.getdoc(cls) or ""
        return doc.splitlines()[0] if doc else cls.name

    @classmethod
    def description(cls) -> str:
        return inspect.getdoc(cls) or ""

    @classmethod
    def family(cls) -> str:
        return FAMILIES.get(cls.id[:4], "other")


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by id (modules under trtlint/findings/rules/)."""
    from . import rules as package

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.id:
                if obj.id in found and found[obj.id] is not obj:
                    raise RuntimeError(f"rule id {obj.id} defined twice")
                found[obj.id] = obj
    return tuple(found[k] for k in sorted(found))


def rule_by_id(rule_id: str) -> Optional[type[Rule]]:
    key = rule_id.strip().upper()
    for r in all_rules():
        if r.id == key or r.name == rule_id.strip():
            return r
    return None
