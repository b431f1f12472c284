"""Where the team's shared data is (``shared/``: the real-graph corpus, real TF-TRT logs).

DEVELOPERS.md keeps it beside the repository (``../shared``), and CI clones there.  A clone
made elsewhere for a check (``git clone . /tmp/ci-check``) finds it through the repository
it was cloned from, when that is a local folder; ``TRTLINT_SHARED_DIR`` overrides both.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _origin_folder() -> Path | None:
    """The local repository this one was cloned from (git's origin), if any."""
    try:
        url = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url[len("file://"):] if url.startswith("file://") else url)
    return path.resolve() if url and path.is_dir() else None


def find_shared() -> Path:
    """The shared folder (its default place when none is found, so tests skip or fail
    naming the path they looked for)."""
    if os.environ.get("TRTLINT_SHARED_DIR"):
        return Path(os.environ["TRTLINT_SHARED_DIR"]).resolve()
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    origin = _origin_folder()
    if origin is not None and (origin.parent / "shared").is_dir():
        return origin.parent / "shared"
    return beside


SHARED = find_shared()
CORPUS_MODELS = SHARED / "corpus" / "models"
CORPUS_LOGS = SHARED / "corpus" / "logs"
