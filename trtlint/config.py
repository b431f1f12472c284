"""Project configuration: ``[tool.trtlint]`` in pyproject.toml, or a ``trtlint.toml``.

A team usually converts the same models the same way (same TF-TRT version, precision,
input shapes), so those choices belong in a file next to the models rather than in every
command line.  trtlint looks for that file upward from each model, the way ruff and
black do::

    models/detector/frozen_inference_graph.pb
    models/detector/trtlint.toml      <- looked for first (whole file is the config)
    models/pyproject.toml             <- then [tool.trtlint], if the table is there
    ...                                  up to the filesystem root

In one directory ``trtlint.toml`` wins over ``pyproject.toml``; a ``pyproject.toml``
without a ``[tool.trtlint]`` table is skipped and the search goes on upward.  The
first file found is the whole configuration: files are not merged.

Example (``trtlint.toml``; in ``pyproject.toml`` put the same keys under
``[tool.trtlint]``)::

    profile = "tf1.13"
    precision = "INT8"
    max-batch-size = 8
    serving-batch = 8
    fail-on = "warning"
    select = ["TRT1", "TRT3", "TRT401"]     # rule ids, families (TRT1 = all TRT1xx) or names
    ignore = ["TRT501"]

    [input-shapes]
    image_tensor = "1x300x300x3"            # or [1, 300, 300, 3]; ? / -1 = unknown

    [per-node-ignores]                      # fnmatch globs on node names; * crosses '/'
    "Postprocessor/*" = ["TRT2"]
    "*/Assert/*" = ["TRT7"]

Keys may be written with '-' or '_'.  An unknown key, a wrong type or an unknown rule
id is an error naming the file and the key.  Command-line flags override the file.
"""

from __future__ import annotations

import difflib
import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import InputError, UsageError

CONFIG_FILE = "trtlint.toml"
PYPROJECT = "pyproject.toml"
FAIL_ON_LEVELS = ("error", "warning", "info", "none")

#: key -> what it holds (used in error messages and in the docs above)
KEYS: dict[str, str] = {
    "select": "list of rule ids, families or names to report (default: all)",
    "ignore": "list of rule ids, families or names not to report",
    "per-node-ignores": "table: node-name glob -> list of rules not to report for it",
    "profile": "TF-TRT version to predict: tf2, tf1.15, tf1.13",
    "precision": "FP32, FP16 or INT8",
    "input-shapes": "table: placeholder name -> \"1x300x300x3\" or [1, 300, 300, 3]",
    "max-batch-size": "integer >= 1 (static engines for this batch)",
    "minimum-segment-size": "integer >= 1",
    "dynamic-shape": "true or false (explicit batch mode)",
    "fail-on": "error, warning, info or none",
    "serving-batch": "integer >= 1",
    "gpu": "target GPU name or sm_XY",
    "max-engines": "integer (TF_TRT_MAX_ALLOWED_ENGINES; <= 0 means no limit)",
    "grappler": "builtin, tf or none",
}


@dataclass(frozen=True)
class Config:
    """One configuration file, validated.  ``None`` fields were not set in the file."""

    source: Optional[Path] = None
    select: Optional[tuple[str, ...]] = None          # resolved rule ids
    ignore: tuple[str, ...] = ()                      # resolved rule ids
    per_node_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    profile: Optional[str] = None
    precision: Optional[str] = None
    input_shapes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    max_batch_size: Optional[int] = None
    minimum_segment_size: Optional[int] = None
    dynamic_shape: Optional[bool] = None
    fail_on: Optional[str] = None
    serving_batch: Optional[int] = None
    gpu: Optional[str] = None
    max_engines: Optional[int] = None
    grappler: Optional[str] = None


# -- rule selectors --------------------------------------------------------------------

def resolve_rule_selectors(selectors: Iterable[str], where: str,
                           path: Optional[Path] = None) -> tuple[str, ...]:
    """Turn selectors into the rule ids they stand for.

    A selector is a rule id (``TRT101``), an id prefix naming a family or sub-family
    (``TRT1``, ``TRT10``), a rule name (``unknown-non-batch-dim``) or ``ALL``.  One that
    matches no rule is an error: a typo in an ignore list would otherwise silently
    ignore nothing.  ``where`` names the key or flag for the message.
    """
    from .findings import all_rules

    rules = all_rules()
    by_name = {r.name: r.id for r in rules}
    ids: dict[str, None] = {}
    for raw in selectors:
        if not isinstance(raw, str) or not raw.strip():
            _fail(f"{where}: expected rule ids as strings, got {raw!r}", path)
        text = raw.strip()
        key = text.upper()
        if key == "ALL":
            matched = [r.id for r in rules]
        elif text in by_name:
            matched = [by_name[text]]
        else:
            matched = [r.id for r in rules if r.id.startswith(key)] if key.startswith("TRT") \
                else []
        if not matched:
            _fail(f"{where}: unknown rule '{text}' (see `trtlint rules` for the ids)", path)
        for rule_id in matched:
            ids.setdefault(rule_id, None)
    return tuple(ids)


def _fail(message: str, path: Optional[Path]) -> None:
    if path is None:
        raise UsageError(message)
    raise InputError(message, path)


# -- parsing and validation ------------------------------------------------------------

def _normalise_key(key: str) -> str:
    return key.replace("_", "-")


def parse_config(table: Mapping[str, Any], source: Optional[Path] = None,
                 section: str = "") -> Config:
    """Validate a configuration table (the whole trtlint.toml, or [tool.trtlint])."""
    from .target import GRAPPLER_MODES, PRECISIONS, PROFILE_ALIASES, PROFILES

    def where(key: str) -> str:
        return f"{section}{key}" if section else key

    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = _normalise_key(raw_key)
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            _fail(f"unknown key '{where(raw_key)}'{hint}; known keys: {', '.join(KEYS)}",
                  source)
        if key in values:
            _fail(f"key '{where(raw_key)}' is given twice ('-' and '_' spellings)", source)
        values[key] = (raw_key, value)

    out: dict[str, Any] = {"source": source}

    def text(key: str) -> Optional[str]:
        if key not in values:
            return None
        raw_key, value = values[key]
        if not isinstance(value, str) or not value.strip():
            _fail(f"'{where(raw_key)}' must be a string ({KEYS[key]}), got {value!r}", source)
        return value.strip()

    def integer(key: str, minimum: Optional[int]) -> Optional[int]:
        if key not in values:
            return None
        raw_key, value = values[key]
        # bool is an int subclass in Python; `max-batch-size = true` is a mistake.
        if not isinstance(value, int) or isinstance(value, bool) or \
                (minimum is not None and value < minimum):
            _fail(f"'{where(raw_key)}' must be {KEYS[key]}, got {value!r}", source)
        return value

    def rule_list(key: str) -> Optional[tuple[str, ...]]:
        if key not in values:
            return None
        raw_key, value = values[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            _fail(f"'{where(raw_key)}' must be a list of rule ids, got {value!r}", source)
        return resolve_rule_selectors(value, f"'{where(raw_key)}'", source)

    out["select"] = rule_list("select")
    out["ignore"] = rule_list("ignore") or ()

    if "per-node-ignores" in values:
        raw_key, value = values["per-node-ignores"]
        if not isinstance(value, dict):
            _fail(f"'{where(raw_key)}' must be a table of \"glob\" = [rule ids]", source)
        pairs = []
        for glob, rules in value.items():
            label = f"'{where(raw_key)}.\"{glob}\"'"
            if isinstance(rules, str):
                rules = [rules]
            if not isinstance(rules, list):
                _fail(f"{label} must be a list of rule ids, got {rules!r}", source)
            pairs.append((glob, resolve_rule_selectors(rules, label, source)))
        out["per_node_ignores"] = tuple(pairs)

    profile = text("profile")
    if profile is not None:
        canonical = PROFILE_ALIASES.get(profile.lower(), profile.lower())
        if canonical not in PROFILES:
            _fail(f"'{where(values['profile'][0])}': unknown profile '{profile}'; choose "
                  f"one of {', '.join(PROFILES)}", source)
        out["profile"] = canonical
    precision = text("precision")
    if precision is not None:
        if precision.upper() not in PRECISIONS:
            _fail(f"'{where(values['precision'][0])}': unknown precision '{precision}'; "
                  f"choose FP32, FP16 or INT8", source)
        out["precision"] = precision.upper()
    fail_on = text("fail-on")
    if fail_on is not None:
        if fail_on.lower() not in FAIL_ON_LEVELS:
            _fail(f"'{where(values['fail-on'][0])}' must be one of "
                  f"{', '.join(FAIL_ON_LEVELS)}, got {fail_on!r}", source)
        out["fail_on"] = fail_on.lower()
    grappler = text("grappler")
    if grappler is not None:
        if grappler not in GRAPPLER_MODES:
            _fail(f"'{where(values['grappler'][0])}' must be one of "
                  f"{', '.join(GRAPPLER_MODES)}, got {grappler!r}", source)
        out["grappler"] = grappler
    gpu = text("gpu")
    if gpu is not None:
        out["gpu"] = gpu

    out["max_batch_size"] = integer("max-batch-size", 1)
    out["minimum_segment_size"] = integer("minimum-segment-size", 1)
    out["serving_batch"] = integer("serving-batch", 1)
    out["max_engines"] = integer("max-engines", None)

    if "dynamic-shape" in values:
        raw_key, value = values["dynamic-shape"]
        if not isinstance(value, bool):
            _fail(f"'{where(raw_key)}' must be true or false, got {value!r}", source)
        out["dynamic_shape"] = value

    if "input-shapes" in values:
        raw_key, value = values["input-shapes"]
        if not isinstance(value, dict):
            _fail(f"'{where(raw_key)}' must be a table: NAME = \"1x300x300x3\"", source)
        out["input_shapes"] = tuple(_input_shape(name, dims, f"{where(raw_key)}.{name}", source)
                                    for name, dims in value.items())
    return Config(**out)


def _input_shape(name: str, dims: Any, label: str,
                 source: Optional[Path]) -> tuple[str, tuple[int, ...]]:
    from .shapes.overrides import parse_input_shape

    if isinstance(dims, list):
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= -1 for d in dims):
            _fail(f"'{label}': dims must be integers (-1 = unknown), got {dims!r}", source)
        dims = "x".join(str(d) for d in dims) if dims else "scalar"
    if not isinstance(dims, str):
        _fail(f"'{label}' must be a string like \"1x300x300x3\" or a list of ints, "
              f"got {dims!r}", source)
    try:
        return parse_input_shape(f"{name}={dims}")
    except UsageError as exc:
        _fail(f"'{label}': {str(exc).partition(': ')[2] or exc}", source)
        raise  # unreachable; keeps type checkers content


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror or exc}", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path) from None
    except UnicodeDecodeError:
        raise InputError("invalid TOML: not UTF-8 text", path) from None


def load_config(path: Path) -> Config:
    """Read and validate one file (a trtlint.toml, or a pyproject.toml's [tool.trtlint])."""
    data = _read_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get("trtlint") if isinstance(tool, dict) else None
        if table is None:
            raise InputError("no [tool.trtlint] table in this pyproject.toml", path)
        if not isinstance(table, dict):
            raise InputError("'tool.trtlint' must be a table", path)
        return parse_config(table, path, "tool.trtlint.")
    return parse_config(data, path)


# -- discovery -------------------------------------------------------------------------

def _pyproject_has_table(path: Path) -> bool:
    tool = _read_toml(path).get("tool")
    return isinstance(tool, dict) and "trtlint" in tool


class ConfigFinder:
    """Discovery and parsing with memory: many models in one folder tree share a file,
    which is then looked up and validated once.  Make one per command run (a file
    edited between two runs in the same process is read again by the next finder)."""

    def __init__(self) -> None:
        self._in_folder: dict[Path, Optional[Path]] = {}
        self._parsed: dict[Path, Config] = {}

    def _config_file_in(self, directory: Path) -> Optional[Path]:
        if directory not in self._in_folder:
            found = None
            candidate = directory / CONFIG_FILE
            if candidate.is_file():
                found = candidate
            else:
                candidate = directory / PYPROJECT
                if candidate.is_file() and _pyproject_has_table(candidate):
                    found = candidate
            self._in_folder[directory] = found
        return self._in_folder[directory]

    def find(self, model_path: Path) -> Optional[Path]:
        """The configuration file that applies to a model, searching upward, or None."""
        start = model_path.resolve()
        directory = start if start.is_dir() else start.parent
        for folder in (directory, *directory.parents):
            found = self._config_file_in(folder)
            if found is not None:
                return found
        return None

    def load(self, path: Path) -> Config:
        path = path.resolve()
        if path not in self._parsed:
            if not path.exists():
                raise InputError("config file not found", path)
            self._parsed[path] = load_config(path)
        return self._parsed[path]

    def config_for(self, model_path: Path, explicit: Optional[Path] = None,
                   isolated: bool = False) -> Config:
        """The Config for one model: ``explicit`` (``--config``) if given, else the file
        discovered upward from the model, else an empty Config (all defaults)."""
        if explicit is not None:
            return self.load(explicit)
        if isolated:
            return Config()
        found = self.find(model_path)
        return self.load(found) if found is not None else Config()


def find_config_file(model_path: Path) -> Optional[Path]:
    """The configuration file that applies to a model, searching upward, or None."""
    return ConfigFinder().find(model_path)


def config_for(model_path: Path, explicit: Optional[Path] = None,
               isolated: bool = False) -> Config:
    """The Config for one model (see :meth:`ConfigFinder.config_for`)."""
    return ConfigFinder().config_for(model_path, explicit, isolated)


# -- applying select / ignore / per-node ignores ---------------------------------------

@dataclass(frozen=True)
class FindingFilter:
    """Which findings to report: select/ignore rule ids, per-node-name glob ignores."""

    select: Optional[frozenset[str]] = None
    ignore: frozenset[str] = frozenset()
    per_node_ignores: tuple[tuple[str, frozenset[str]], ...] = ()

    def keeps(self, rule: str, node: Optional[str]) -> bool:
        if self.select is not None and rule not in self.select:
            return False
        if rule in self.ignore:
            return False
        if node is not None:
            for glob, rules in self.per_node_ignores:
                if rule in rules and fnmatch.fnmatchcase(node, glob):
                    return False
        return True

    def apply(self, findings: Sequence[Any]) -> list[Any]:
        return [f for f in findings if self.keeps(f.rule, f.node)]


@dataclass(frozen=True)
class Settings:
    """What one model is analysed with: the config file merged with the command line."""

    target_options: dict[str, Any] = field(default_factory=dict)
    filter: FindingFilter = FindingFilter()
    fail_on: str = "error"
    source: Optional[Path] = None


def merge_settings(config: Config, cli: Mapping[str, Any]) -> Settings:
    """Command-line values (None = not given) override the config, which overrides the
    defaults of DESIGN.md.  ``cli`` keys: profile, precision, dynamic_shape,
    minimum_segment_size, max_batch_size, input_shapes (dict), serving_batch, gpu,
    max_engines, grappler, fail_on, select, ignore (resolved rule-id tuples or None)."""
    def pick(key: str, default: Any) -> Any:
        value = cli.get(key)
        if value is not None:
            return value
        value = getattr(config, key)
        return default if value is None else value

    shapes = dict(config.input_shapes)
    shapes.update(cli.get("input_shapes") or {})
    target = {
        "profile": pick("profile", "tf2"),
        "precision": pick("precision", "FP32"),
        "dynamic_shape": pick("dynamic_shape", False),
        "minimum_segment_size": pick("minimum_segment_size", 3),
        "max_batch_size": pick("max_batch_size", None),
        "serving_batch": pick("serving_batch", None),
        "gpu": pick("gpu", None),
        "max_engines": pick("max_engines", 20),
        "grappler": pick("grappler", "builtin"),
        "input_shapes": tuple(shapes.items()),
    }
    select = cli.get("select")
    if select is None:
        select = config.select
    ignore = cli.get("ignore")
    if ignore is None:
        ignore = config.ignore
    finding_filter = FindingFilter(
        select=frozenset(select) if select is not None else None,
        ignore=frozenset(ignore),
        per_node_ignores=tuple((g, frozenset(r)) for g, r in config.per_node_ignores))
    return Settings(target_options=target, filter=finding_filter,
                    fail_on=pick("fail_on", "error"), source=config.source)
