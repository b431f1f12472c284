"""The pre-commit hook of .pre-commit-hooks.yaml, run by the real `pre-commit`.

A temporary git repository uses a temporary clone of this repository's HEAD as its hook
source (``repo: file://...``, ``rev: <sha>``), exactly as a user's project would use the
published repository.  pre-commit builds the hook's virtualenv and pip-installs trtlint
from that clone (``language: python``), then ``git commit`` runs the hook on the staged
models: a commit with a model that has findings at the configured ``fail-on`` is refused,
a commit with a clean model goes through.

No network: pip is pointed at the local package index this machine's pip configuration
names (a ``file://`` index, as CI has); without one, pip uses its own configuration.
Note that the hook runs the code committed at HEAD, not uncommitted changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is not installed "
                                                       "(pip install -e '.[test]')"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout"),
]


def local_index_env() -> dict[str, str]:
    """PIP_INDEX_URL/PIP_EXTRA_INDEX_URL restricted to the file:// indexes pip is
    configured with, so that installing the hook never reaches for the network."""
    urls: list[str] = []
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                            capture_output=True, text=True).stdout
    values = [line.partition("=")[2] for line in listed.splitlines()
              if line.partition("=")[0].endswith("index-url")]
    values += [os.environ.get("PIP_INDEX_URL", ""), os.environ.get("PIP_EXTRA_INDEX_URL", "")]
    for value in values:
        for url in value.strip().strip("'\"").split():
            if url.startswith("file://") and url not in urls:
                urls.append(url)
    if not urls:
        return {}
    env = {"PIP_INDEX_URL": urls[0]}
    if len(urls) > 1:
        env["PIP_EXTRA_INDEX_URL"] = " ".join(urls[1:])
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("precommit")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(local_index_env())
    env.update({"PRE_COMMIT_HOME": str(base / "cache"), "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.invalid", "NO_COLOR": "1"})
    source = base / "trtlint-src"
    cloned = run(["git", "clone", "-q", "--depth", "1", ROOT.as_uri(), str(source)], base, env)
    assert cloned.returncode == 0, cloned.stderr
    rev = run(["git", "rev-parse", "HEAD"], source, env).stdout.strip()
    assert (source / ".pre-commit-hooks.yaml").exists(), "hook file not committed at HEAD"

    project = base / "project"
    project.mkdir()
    assert run(["git", "init", "-q"], project, env).returncode == 0
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source.as_uri()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: trtlint\n")
    # The project's trtlint settings: a batch-dimension change is what this team fails on.
    (project / "trtlint.toml").write_text('select = ["TRT102"]\nfail-on = "warning"\n')
    installed = run([str(PRE_COMMIT), "install"], project, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return project, env


def test_hook_passes_a_good_model_and_refuses_a_bad_one(hook_env):
    project, env = hook_env
    (project / "models").mkdir()
    shutil.copy(GRAPHS / "conv_bn_fused.pb", project / "models" / "good.pb")
    (project / "README.txt").write_text("not a model: the hook must not see it\n")
    run(["git", "add", "-A"], project, env)
    good = run(["git", "commit", "-m", "good model"], project, env)
    output = good.stdout + good.stderr
    assert good.returncode == 0, output
    assert "trtlint" in output and "Passed" in output
    assert run(["git", "log", "--oneline"], project, env).stdout.count("\n") == 1

    shutil.copy(GRAPHS / "seg_batch_reshape_transpose.pb", project / "models" / "bad.pb")
    run(["git", "add", "models/bad.pb"], project, env)
    bad = run(["git", "commit", "-m", "bad model"], project, env)
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "Failed" in output and "exit code: 1" in output
    assert "TRT102" in output and "bad.pb" in output
    # the commit did not happen
    assert run(["git", "log", "--oneline"], project, env).stdout.count("\n") == 1
    assert "models/bad.pb" in run(["git", "diff", "--cached", "--name-only"], project,
                                  env).stdout


def test_hook_reports_an_unreadable_model(hook_env):
    project, env = hook_env
    (project / "broken.pbtxt").write_text("node { name: 'x' op: \n")
    run(["git", "add", "broken.pbtxt"], project, env)
    result = run([str(PRE_COMMIT), "run", "trtlint", "--files", "broken.pbtxt"], project, env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "exit code: 2" in output and "broken.pbtxt" in output
    assert "Traceback" not in output
