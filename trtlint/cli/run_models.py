"""Analysing one or many models, in this process or in a pool of worker processes.

Each model becomes a :class:`ModelJob`: everything needed to analyse it, decided in
the parent (target from config + flags, finding filter, baseline fingerprints, how to
render).  :func:`analyse_model` turns a job into a
:class:`~trtlint.outcome.ModelOutcome`; it is the same function whether it runs here
(``--jobs 1``) or in a worker, and outcomes come back in command-line order, so the
output never depends on ``--jobs``.

Formats that need the full :class:`~trtlint.analysis.Analysis` (rich, html) are
rendered inside ``analyse_model``: an Analysis holds protobuf objects and cannot be
sent between processes, and keeping hundreds of them in memory would be wasteful.
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from ..config import FindingFilter
from ..errors import TrtlintError
from ..outcome import ModelOutcome, pbtxt_node_lines
from ..target import Target

#: formats rendered where the model is analysed (they need the whole Analysis)
RENDERED_IN_WORKER = ("rich", "html")


@dataclass(frozen=True)
class RenderOptions:
    """How to render rich/html text in a worker, copied from the parent's console."""

    format: str = "json"
    verbose: bool = False
    width: int = 100
    color_system: Optional[str] = None
    force_terminal: bool = False
    no_color: bool = True


@dataclass(frozen=True)
class ModelJob:
    path: str
    target: Target
    finding_filter: FindingFilter
    fail_on: str = "error"
    signature: Optional[str] = None
    tags: Optional[tuple[str, ...]] = None
    outputs: Optional[tuple[str, ...]] = None
    #: fingerprints the baseline holds for this model, with counts; None: no baseline
    baseline: Optional[tuple[tuple[str, int], ...]] = None
    render: RenderOptions = RenderOptions()


def _render_rich(analysis, options: RenderOptions) -> str:
    from rich.console import Console

    from ..views.analyze_rich import render_analysis

    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width, color_system=options.color_system,
                      force_terminal=options.force_terminal, no_color=options.no_color,
                      highlight=False, soft_wrap=False, legacy_windows=False)
    render_analysis(analysis, console, options.verbose)
    return buffer.getvalue()


def _render_html(analysis) -> str:
    from ..views.html import render_html

    return render_html(analysis)


def analyse_model(job: ModelJob) -> ModelOutcome:
    """Load, analyse, filter findings, apply the baseline, render; never raises for a
    problem with the model (the outcome carries the error line instead)."""
    from ..analysis import analyze
    from ..baseline import split_new
    from ..load import load_model
    from ..report import report_json

    try:
        model = load_model(job.path, signature=job.signature,
                           tags=list(job.tags) if job.tags else None,
                           outputs=list(job.outputs) if job.outputs else None)
        analysis = analyze(model, job.target)
        findings = job.finding_filter.apply(analysis.findings)
        baselined = 0
        if job.baseline is not None:
            findings, baselined = split_new(findings, Counter(dict(job.baseline)))
            if baselined:
                analysis.notes.append(f"{baselined} finding(s) already in the baseline are "
                                      f"not shown")
        analysis.findings = findings
        report = report_json(analysis, verbose=job.render.verbose)
        if job.baseline is not None:
            report["baselined"] = baselined
        rendered = None
        if job.render.format == "rich":
            rendered = _render_rich(analysis, job.render)
        elif job.render.format == "html":
            rendered = _render_html(analysis)
        node_lines = {}
        if model.format == "pbtxt":
            node_lines = pbtxt_node_lines(model.path, {f.node for f in findings if f.node})
        return ModelOutcome(path=job.path, report=report, findings=list(findings),
                            baselined=baselined, fail_on=job.fail_on, rendered=rendered,
                            node_lines=node_lines)
    except TrtlintError as exc:
        message = exc.one_line()
        if exc.path is None:
            message = f"{job.path}: {message}"
        return ModelOutcome(path=job.path, error=message, fail_on=job.fail_on)
    except MemoryError:
        return ModelOutcome(path=job.path, fail_on=job.fail_on,
                            error=f"{job.path}: out of memory while analysing this model")
    except Exception as exc:  # noqa: BLE001 - one model's bug must not hide the others
        if os.environ.get("TRTLINT_DEBUG"):
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:200]
        return ModelOutcome(path=job.path, fail_on=job.fail_on,
                            error=f"{job.path}: internal error ({type(exc).__name__}: "
                                  f"{detail}); rerun with TRTLINT_DEBUG=1 and report it")


def worker_count(jobs: int, models: int) -> int:
    """``--jobs 0`` means one per CPU; never more workers than models."""
    wanted = jobs if jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, models))


def run_jobs(jobs: Sequence[ModelJob], workers: int,
             on_done: Optional[Callable[[ModelOutcome], None]] = None) -> list[ModelOutcome]:
    """Run every job; outcomes in the order of ``jobs``.  ``on_done`` is called as each
    finishes (in completion order), for progress display."""
    if workers <= 1 or len(jobs) <= 1:
        outcomes = []
        for job in jobs:
            outcome = analyse_model(job)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
        return outcomes

    import multiprocessing

    # spawn, not fork: the parent may have a progress-bar thread running (a fork would
    # copy its locks mid-use), and spawn behaves the same on Linux, macOS and Windows.
    context = multiprocessing.get_context("spawn")
    results: list[Optional[ModelOutcome]] = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(analyse_model, job): i for i, job in enumerate(jobs)}
        try:
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died (killed, OOM)
                    outcome = ModelOutcome(path=jobs[index].path, fail_on=jobs[index].fail_on,
                                           error=f"{jobs[index].path}: the worker process "
                                                 f"failed ({type(exc).__name__}: {exc})")
                results[index] = outcome
                if on_done:
                    on_done(outcome)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [r for r in results if r is not None]


def progress_wanted(models: int, stream=None) -> bool:
    """A progress bar only for several models and when stderr is a terminal."""
    stream = stream if stream is not None else sys.stderr
    try:
        return models > 1 and stream.isatty()
    except (AttributeError, ValueError):
        return False
