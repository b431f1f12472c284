"""Options shared by ``trtlint analyze`` and ``trtlint baseline`` (config, rule
selection, parallelism, fail-on).  Target flags are in :mod:`trtlint.cli.options`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from typing import Annotated

ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="Use this trtlint.toml or pyproject.toml for every model instead of "
                     "the one found upward from each model.", show_default=False)]
NoConfigOpt = Annotated[bool, typer.Option(
    "--no-config", help="Ignore configuration files (defaults + flags only).")]
SelectOpt = Annotated[Optional[List[str]], typer.Option(
    "--select", help="Report only these rules: ids, families (TRT1) or names; comma-"
                     "separated or repeated. Overrides the config's select.",
    show_default=False)]
IgnoreOpt = Annotated[Optional[List[str]], typer.Option(
    "--ignore", help="Do not report these rules (ids, families or names). Overrides the "
                     "config's ignore.", show_default=False)]
FailOnOpt = Annotated[Optional[str], typer.Option(
    "--fail-on", help="Exit 1 when a finding has at least this severity: error (default), "
                      "warning, info or none.", show_default=False)]
JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, help="Analyse this many models at once in worker processes "
                                "(0: one per CPU).")]
