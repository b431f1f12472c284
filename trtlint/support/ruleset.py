"""Loading a profile's rules (rules/PROFILE.toml) into objects the validator runs.

A requirement names a predicate (``check``) registered in :mod:`trtlint.support.checks`.
The TF1 research notes write their own predicates as ``check = "custom"`` with
``name = "..."``; the loader reads that as ``check = NAME`` (each such name is a
registered predicate too), so both spellings mean the same and a typo fails at load.

Keys a requirement may carry besides the predicate's parameters:

* ``stage``: ``"segment"`` (checked when TF-TRT picks candidates) or ``"build"``
  (checked when the engine is built; see :mod:`trtlint.segments.build`);
* ``engines``: which engines a build-stage check bites: ``"static"``,
  ``"dynamic"``, ``"built_at_conversion"`` (the profile's ``[engines]`` table says
  which engine kinds TF-TRT builds while converting) or ``"any"``;
* ``precision``, ``use_calibration``, ``mode``, ``ops_only``: when it applies;
* ``code``: the Status code TF-TRT attaches ("Invalid argument", ...);
* ``severity``: ``"warning"`` reports without rejecting;
* ``per_input`` (engine inputs): checked input by input together with the other
  ``per_input`` checks next to it, the first failing input winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from ..errors import TrtlintError
from ..rules_data import load_json, load_toml, rules_dir
from . import checks
from .checks import tf1 as _tf1_checks  # noqa: F401  (registers the TF1 predicates)

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
    stage: str = "segment"             # "segment" or "build"
    messages: tuple[str, ...] = ()     # alternatives a predicate picks with "which"
    ops_only: Optional[frozenset[str]] = None
    code: Optional[str] = None         # TF-TRT's Status code, e.g. "Invalid argument"
    use_calibration: Optional[bool] = None  # applies only with this use_calibration
    severity: str = "error"            # "warning": reported, never rejects
    per_input: bool = False            # engine inputs: checked input by input

    def applies(self, implicit_batch: bool, precision: str, static: bool, op: str = "",
                use_calibration: Optional[bool] = None) -> bool:
        """Whether the requirement is in force for this node and conversion.  ``static``
        is whether the engine is static (segment stage) or built at conversion (build
        stage, where :meth:`engine_applies` refines it)."""
        if self.ops_only is not None and op not in self.ops_only:
            return False
        if self.mode == "implicit" and not implicit_batch:
            return False
        if self.mode == "explicit" and implicit_batch:
            return False
        if self.precision is not None and precision not in self.precision:
            return False
        if self.use_calibration is not None and use_calibration is not None \
                and use_calibration != self.use_calibration:
            return False
        if self.engines == "static" and not static or self.engines == "dynamic" and static:
            return False
        return True

    def engine_applies(self, static: bool, built_at_conversion: bool) -> bool:
        """Build stage: does the check bite an engine of this kind at conversion time?"""
        if self.engines in (None, "any"):
            return True
        if self.engines == "static":
            return static
        if self.engines == "dynamic":
            return not static
        if self.engines == "built_at_conversion":
            return built_at_conversion
        return False


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
    tier: str = "validated"          # tf1.13: "validated" or "name_only" (no validator)


@dataclass(frozen=True)
class CandidateSteps:
    """Which of TF-TRT's generic candidate tests a profile runs, before and around the
    op converters (``[segmenter]`` of the rules file; the defaults are TF 2.17's)."""

    device_check: bool = True             # "node can't be placed on GPU"
    implicit_batch_check: bool = True     # segment.cc's implicit-batch translatability
    dynamic_non_batch_check: bool = True  # static engines: unknown non-batch output dims
    op_denylist_env: bool = True          # TF_TRT_OP_DENYLIST
    #: whether "input i is a Const" looks through Identity chains (2.17's validator
    #: does; TF1's compares the producer's op with "Const" literally)
    identity_look_through: bool = True
    #: what the segmenter excludes: "fetch" (inputs and outputs as trtlint knows them)
    #: and, for TF1's grappler item, "feed" (every Placeholder)
    exclude: tuple[str, ...] = ("fetch",)
    #: graph inputs (Placeholder, PlaceholderWithDefault) stay excluded only if their op is
    #: one of these (None: all); TF 2.17 feeds -- and so preserves -- Placeholders only
    excluded_input_ops: Optional[tuple[str, ...]] = None

    @staticmethod
    def from_table(table: dict) -> "CandidateSteps":
        return CandidateSteps(
            device_check=bool(table.get("device_check", True)),
            implicit_batch_check=bool(table.get("implicit_batch_translatability_check", True)),
            dynamic_non_batch_check=bool(table.get("dynamic_non_batch_dim_check", True)),
            op_denylist_env=bool(table.get("op_denylist_env", True)),
            identity_look_through=bool(table.get("identity_look_through", True)),
            exclude=tuple(table.get("exclude", ("fetch",))),
            excluded_input_ops=tuple(table["excluded_input_ops"])
            if "excluded_input_ops" in table else None)


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
    #: op types whose output a converter receives as weights, not as a tensor
    weight_ops: frozenset[str] = frozenset({"Const"})
    #: ops whose presence anywhere switches TF-TRT to explicit QDQ (INT8) mode
    explicit_qdq_ops: frozenset[str] = frozenset()
    #: checks on a Const, as a candidate and as an input ([const_inputs])
    const_requirements: list[Requirement] = field(default_factory=list)
    #: checks on an engine's own inputs when it is built ([engine_inputs])
    engine_requirements: list[Requirement] = field(default_factory=list)
    steps: CandidateSteps = field(default_factory=CandidateSteps)

    @property
    def segmenter(self) -> dict[str, Any]:
        """The ``[segmenter]`` table (empty for profiles that keep TF 2.17's)."""
        return self.raw.get("segmenter", {})

    @property
    def engines(self) -> dict[str, Any]:
        """The ``[engines]`` table: when engines are built, TF-TRT's result lines."""
        return self.raw.get("engines", {})

    def rules_for(self, op: str) -> list[OpRule]:
        return self.ops.get(op, [])

    def message(self, key: str, default: str) -> str:
        return self.raw.get("messages", {}).get(key, default)


_REQ_KEYS = {"check", "mode", "precision", "engines", "message", "fix", "category", "stage",
             "since", "note", "messages", "ops_only", "evidence", "code", "use_calibration",
             "severity", "per_input"}
STAGES = ("segment", "build")
ENGINE_KINDS = (None, "any", "static", "dynamic", "built_at_conversion")
SEVERITIES = ("error", "warning")


def _requirement(entry: dict, where: str) -> Requirement:
    name = entry.get("check")
    if not name:
        raise TrtlintError(f"rules {where}: a requirement has no 'check'")
    params = {k: v for k, v in entry.items() if k not in _REQ_KEYS}
    if name == "custom":
        # check = "custom", name = X  is  check = X  (see the module docstring)
        name = params.pop("name", None)
        if not name:
            raise TrtlintError(f"rules {where}: a 'custom' check needs a 'name'")
    if checks.lookup(name) is None:
        raise TrtlintError(f"rules {where}: unknown check '{name}' (known: "
                           f"{', '.join(checks.known_checks())})")
    mode = entry.get("mode", "any")
    if mode not in MODES:
        raise TrtlintError(f"rules {where}: mode must be one of {MODES}, not {mode!r}")
    for key, value, allowed in (("stage", entry.get("stage", "segment"), STAGES),
                                ("engines", entry.get("engines"), ENGINE_KINDS),
                                ("severity", entry.get("severity", "error"), SEVERITIES)):
        if value not in allowed:
            raise TrtlintError(f"rules {where}: {key} must be one of {allowed}, not {value!r}")
    prec = entry.get("precision")
    only = entry.get("ops_only")
    calib = entry.get("use_calibration")
    return Requirement(name, params, mode, tuple(prec) if prec else None, entry.get("engines"),
                       entry.get("message"), entry.get("fix"), entry.get("category", "attribute"),
                       entry.get("stage", "segment"), tuple(entry.get("messages", ())),
                       frozenset(only) if only else None, entry.get("code"),
                       None if calib is None else bool(calib), entry.get("severity", "error"),
                       bool(entry.get("per_input", False)))


def _requirements(table: dict, where: str) -> list[Requirement]:
    return [_requirement(e, where) for e in table.get("require", [])]


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
            note=entry.get("note", ""), tier=entry.get("tier", "validated"))
        for op in names:
            ops.setdefault(op, []).append(rule)
    # TF 2.17's file calls the Const table [weights]; the TF1 files [const_inputs]
    weights = raw.get("weights") or raw.get("const_inputs") or {}
    switches = raw.get("precision_switches", {})
    return RuleSet(profile=profile, title=head.get("title", profile), release=release,
                   registered=frozenset(registry[release]),
                   tensor_dtypes=frozenset(tin.get("dtypes", ["float32", "float16", "int32"])),
                   tensor_requirements=tensor_reqs, ops=ops, raw=raw,
                   weight_dtypes=frozenset(weights.get("dtypes", [])),
                   weight_ops=frozenset(weights.get("producer_ops", ["Const"])),
                   explicit_qdq_ops=frozenset(switches.get("explicit_qdq_ops", [])),
                   const_requirements=_requirements(raw.get("const_inputs", {}),
                                                    f"{fname} [const_inputs]"),
                   engine_requirements=_requirements(raw.get("engine_inputs", {}),
                                                     f"{fname} [engine_inputs]"),
                   steps=CandidateSteps.from_table(raw.get("segmenter", {})))
