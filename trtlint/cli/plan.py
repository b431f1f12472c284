"""From a command line to one :class:`~trtlint.cli.run_models.ModelJob` per model.

This is where the precedence rule lives: a flag given on the command line beats the
configuration file found for the model (``--config`` or discovered upward), which
beats the defaults of DESIGN.md.  Everything that can be wrong with the command line
or a config file is detected here, before any model is analysed, so a typo fails fast
with exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from ..baseline import Baseline
from ..config import ConfigFinder, Settings, merge_settings, resolve_rule_selectors
from ..errors import UsageError
from ..outcome import FAIL_RANK
from ..target import make_target
from .run_models import ModelJob, RenderOptions


def selector_list(values: Optional[Sequence[str]], flag: str) -> Optional[tuple[str, ...]]:
    """``--select TRT1,TRT301 --select TRT4`` -> resolved rule ids (None: flag absent)."""
    if not values:
        return None
    items = [x.strip() for v in values for x in v.split(",") if x.strip()]
    return resolve_rule_selectors(items, flag)


@dataclass
class CommandLine:
    """The analysis-shaping flags as given; None means "not on the command line"."""

    profile: Optional[str] = None
    precision: Optional[str] = None
    dynamic_shape: Optional[bool] = None
    minimum_segment_size: Optional[int] = None
    max_batch_size: Optional[int] = None
    input_shape: Optional[list[str]] = None
    no_grappler: bool = False
    grappler: Optional[str] = None
    cpu_layout: bool = False
    max_engines: Optional[int] = None
    serving_batch: Optional[int] = None
    gpu: Optional[str] = None
    fail_on: Optional[str] = None
    select: Optional[list[str]] = None
    ignore: Optional[list[str]] = None
    config: Optional[Path] = None
    no_config: bool = False
    signature: Optional[str] = None
    tags: Optional[list[str]] = None
    outputs: Optional[list[str]] = None
    _resolved: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _finder: ConfigFinder = field(default_factory=ConfigFinder, init=False, repr=False)

    def overrides(self) -> dict[str, Any]:
        """The values :func:`trtlint.config.merge_settings` expects (validated once)."""
        if self._resolved:
            return self._resolved
        from ..shapes.overrides import parse_input_shapes

        if self.fail_on is not None and self.fail_on.lower() not in FAIL_RANK:
            raise UsageError(f"--fail-on must be one of error, warning, info, none "
                             f"(got '{self.fail_on}')")
        if self.no_grappler and self.grappler not in (None, "none"):
            raise UsageError("--no-grappler and --grappler disagree; give one of them")
        self._resolved = {
            "profile": self.profile,
            "precision": self.precision,
            "dynamic_shape": self.dynamic_shape,
            "minimum_segment_size": self.minimum_segment_size,
            "max_batch_size": self.max_batch_size,
            "input_shapes": parse_input_shapes(self.input_shape or []),
            "serving_batch": self.serving_batch,
            "gpu": self.gpu,
            "max_engines": self.max_engines,
            "grappler": "none" if self.no_grappler else self.grappler,
            "fail_on": self.fail_on.lower() if self.fail_on else None,
            "select": selector_list(self.select, "--select"),
            "ignore": selector_list(self.ignore, "--ignore"),
        }
        return self._resolved

    def settings_for(self, model: Path) -> Settings:
        config = self._finder.config_for(model, self.config, isolated=self.no_config)
        return merge_settings(config, self.overrides())

    def target_for(self, settings: Settings):
        options = dict(settings.target_options)
        try:
            return make_target(options.pop("profile"), options.pop("precision"),
                               gpu_layout=False if self.cpu_layout else None,
                               **options)
        except UsageError as exc:
            if settings.source is not None:
                raise UsageError(f"{exc} (with the settings of {settings.source})") from None
            raise


def plan_jobs(models: Sequence[Path], cli: CommandLine, render: RenderOptions,
              baseline: Optional[Baseline] = None) -> list[ModelJob]:
    """One job per model, settings resolved per model (each may have its own config)."""
    jobs = []
    for model in models:
        settings = cli.settings_for(model)
        known = None
        if baseline is not None:
            known = tuple(sorted(baseline.known_for(model).items()))
        jobs.append(ModelJob(
            path=str(model), target=cli.target_for(settings),
            finding_filter=settings.filter, fail_on=settings.fail_on,
            signature=cli.signature, tags=tuple(cli.tags) if cli.tags else None,
            outputs=tuple(cli.outputs) if cli.outputs else None,
            baseline=known, render=render))
    return jobs
