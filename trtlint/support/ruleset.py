"""Loading a profile's rules (rules/PROFILE.toml) into objects the validator runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from ..errors import TrtlintError
from ..rules_data import load_json, load_toml, rules_dir
from . import checks

#: which TensorFlow release's converter registry each profile uses by default
DEFAULT_RELEASE = {"tf2": "2.17.0", "tf1.15": "1.15.0", "tf1.13": "1.13.1"}
MODES = ("any", "implicit", "explicit")


@dataclass(frozen=True)
class Requirement:
    """One condition of an op's converter, as written in the rules file."""

    check: str
    params: dict
    mode: str = "any"
    precision: Optional[tuple[str, ...]] = None
    engines: Optional[str] = None      # "static" | "dynamic" | None (both)
    message: Optional[str] = None
    fix: Optional[str] = None
    category: str = "attribute"
    stage: str = "segment"             # "segment" or, for tf1.13, "build"
    messages: tuple[str, ...] = ()     # alternatives a predicate picks with "which"
    ops_only: Optional[frozenset[str]] = None

    def applies(self, implicit_batch: bool, precision: str, static: bool, op: str = "") -> bool:
        if self.ops_only is not None and op not in self.ops_only:
            return False
        if self.mode == "implicit" and not implicit_batch:
            return False
        if self.mode == "explicit" and implicit_batch:
            return False
        if self.precision is not None and precision not in self.precision:
            return False
        if self.engines == "static" and not static or self.engines == "dynamic" and static:
            return False
        return True


@dataclass
class OpRule:
    ops: tuple[str, ...]
    family: str = ""
    dtypes: Optional[tuple[str, ...]] = None
    dtype_attr: str = "T"
    dtype_message: Optional[str] = None
    precision: Optional[tuple[str, ...]] = None  # op accepted only in these precisions
    requirements: list[Requirement] = field(default_factory=list)
    note: str = ""


@dataclass
class RuleSet:
    profile: str
    title: str
    release: str
    registered: frozenset[str]
    tensor_dtypes: frozenset[str]
    tensor_requirements: list[Requirement]
    ops: dict[str, list[OpRule]]
    raw: dict[str, Any]
    weight_dtypes: frozenset[str] = frozenset()
    #: ops whose presence anywhere switches TF-TRT to explicit QDQ (INT8) mode
    explicit_qdq_ops: frozenset[str] = frozenset()

    def rules_for(self, op: str) -> list[OpRule]:
        return self.ops.get(op, [])

    def message(self, key: str, default: str) -> str:
        return self.raw.get("messages", {}).get(key, default)


_REQ_KEYS = {"check", "mode", "precision", "engines", "message", "fix", "category", "stage",
             "since", "note", "messages", "ops_only", "evidence"}


def _requirement(entry: dict, where: str) -> Requirement:
    name = entry.get("check")
    if not name:
        raise TrtlintError(f"rules {where}: a requirement has no 'check'")
    if checks.lookup(name) is None:
        raise TrtlintError(f"rules {where}: unknown check '{name}' (known: "
                           f"{', '.join(checks.known_checks())})")
    mode = entry.get("mode", "any")
    if mode not in MODES:
        raise TrtlintError(f"rules {where}: mode must be one of {MODES}, not {mode!r}")
    params = {k: v for k, v in entry.items() if k not in _REQ_KEYS}
    prec = entry.get("precision")
    only = entry.get("ops_only")
    return Requirement(name, params, mode, tuple(prec) if prec else None, entry.get("engines"),
                       entry.get("message"), entry.get("fix"), entry.get("category", "attribute"),
                       entry.get("stage", "segment"), tuple(entry.get("messages", ())),
                       frozenset(only) if only else None)


@lru_cache(maxsize=None)
def load_ruleset(profile: str) -> RuleSet:
    """The rules of a profile (cached; rules files are read once per process)."""
    fname = f"{profile}.toml"
    raw: dict = load_toml(fname) if (rules_dir() / fname).is_file() else {}
    head = raw.get("profile", {})
    release = head.get("converters_release", DEFAULT_RELEASE.get(profile, "2.17.0"))
    registry = load_json("converter-registry.json")["ops"]
    if release not in registry:
        raise TrtlintError(f"rules {fname}: unknown converters_release {release}")
    tin = raw.get("tensor_inputs", {})
    tensor_reqs = [_requirement(e, f"{fname} [tensor_inputs]") for e in tin.get("require", [])]
    ops: dict[str, list[OpRule]] = {}
    for i, entry in enumerate(raw.get("op", [])):
        names = entry.get("ops") or ([entry["name"]] if "name" in entry else [])
        if not names:
            raise TrtlintError(f"rules {fname}: [[op]] entry {i} names no ops")
        where = f"{fname} [[op]] {names[0]}"
        rule = OpRule(
            ops=tuple(names), family=entry.get("family", ""),
            dtypes=tuple(entry["dtypes"]) if "dtypes" in entry else None,
            dtype_attr=entry.get("dtype_attr", "T"), dtype_message=entry.get("dtype_message"),
            precision=tuple(entry["precision"]) if "precision" in entry else None,
            requirements=[_requirement(r, where) for r in entry.get("require", [])],
            note=entry.get("note", ""))
        for op in names:
            ops.setdefault(op, []).append(rule)
    weights = raw.get("weights", {})
    switches = raw.get("precision_switches", {})
    return RuleSet(profile=profile, title=head.get("title", profile), release=release,
                   registered=frozenset(registry[release]),
                   tensor_dtypes=frozenset(tin.get("dtypes", ["float32", "float16", "int32"])),
                   tensor_requirements=tensor_reqs, ops=ops, raw=raw,
                   weight_dtypes=frozenset(weights.get("dtypes", [])),
                   explicit_qdq_ops=frozenset(switches.get("explicit_qdq_ops", [])))
