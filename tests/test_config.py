"""Configuration files: discovery upward from each model, validation with one-line errors
naming the file and key, and precedence (flags > config > defaults) through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.config import (Config, FindingFilter, config_for, find_config_file, load_config,
                            merge_settings, parse_config)
from trtlint.errors import InputError, UsageError
from trtlint.findings import all_rules

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
runner = CliRunner()


def copy_model(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(GRAPHS / name, folder / name))


def analyze_json(*args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["analyze", *args, "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def rule_ids_of(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"]}


# -- discovery ---------------------------------------------------------------------------

def test_discovery_walks_upward_and_prefers_trtlint_toml(tmp_path):
    model = copy_model("conv_bn_fused.pb", tmp_path / "a" / "b" / "c")
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.trtlint]\nprecision = "FP16"\n')
    # a pyproject.toml without [tool.trtlint] is skipped, the search goes on upward
    (tmp_path / "a" / "b" / "c" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_file(model) == (tmp_path / "a" / "pyproject.toml").resolve()
    assert config_for(model).precision == "FP16"

    (tmp_path / "a" / "b" / "trtlint.toml").write_text('precision = "INT8"\n')
    assert find_config_file(model) == (tmp_path / "a" / "b" / "trtlint.toml").resolve()
    # in one folder, trtlint.toml wins over pyproject.toml
    (tmp_path / "a" / "b" / "pyproject.toml").write_text('[tool.trtlint]\nprecision = "FP32"\n')
    assert find_config_file(model).name == "trtlint.toml"
    assert config_for(model).precision == "INT8"
    # an explicit file wins over discovery; --no-config ignores everything
    explicit = tmp_path / "other.toml"
    explicit.write_text('profile = "tf1.15"\n')
    assert config_for(model, explicit).profile == "tf1.15"
    assert config_for(model, isolated=True) == Config()


def test_discovery_from_a_saved_model_folder(tmp_path):
    saved = tmp_path / "models" / "classifier"
    shutil.copytree(ROOT / "fixtures" / "saved_models" / "keras_conv_classifier", saved)
    (tmp_path / "models" / "trtlint.toml").write_text('max-batch-size = 4\n')
    assert config_for(saved).max_batch_size == 4
    assert config_for(saved / "saved_model.pb").max_batch_size == 4


# -- parsing and validation -------------------------------------------------------------

def test_every_key_parses(tmp_path):
    some_rule = all_rules()[0]
    path = tmp_path / "trtlint.toml"
    path.write_text(f'''
select = ["TRT1", "{some_rule.name}"]
ignore = "TRT2"
profile = "1.13"
precision = "fp16"
max-batch-size = 8
minimum_segment_size = 5
dynamic-shape = false
fail-on = "Warning"
serving-batch = 16
gpu = "T4"
max-engines = 0
grappler = "none"

[input-shapes]
image_tensor = "1x300x300x3"
"scope/input:0" = [2, -1, 7]

[per-node-ignores]
"Postprocessor/*" = ["TRT101"]
''')
    cfg = load_config(path)
    trt1 = tuple(r.id for r in all_rules() if r.id.startswith("TRT1"))
    assert cfg.select == trt1 + (() if some_rule.id in trt1 else (some_rule.id,))
    assert cfg.ignore == tuple(r.id for r in all_rules() if r.id.startswith("TRT2"))
    assert (cfg.profile, cfg.precision, cfg.max_batch_size, cfg.minimum_segment_size) == \
        ("tf1.13", "FP16", 8, 5)
    assert (cfg.dynamic_shape, cfg.fail_on, cfg.serving_batch, cfg.gpu) == \
        (False, "warning", 16, "T4")
    assert (cfg.max_engines, cfg.grappler) == (0, "none")
    assert dict(cfg.input_shapes) == {"image_tensor": (1, 300, 300, 3), "scope/input": (2, -1, 7)}
    assert cfg.per_node_ignores == (("Postprocessor/*", ("TRT101",)),)
    assert cfg.source == path


@pytest.mark.parametrize("body, expected", [
    ('max_batch = 4\n', "unknown key 'max_batch'"),
    ('[tool]\nx = 1\n', "unknown key 'tool'"),
    ('profile = "tf3"\n', "'profile': unknown profile 'tf3'"),
    ('precision = "FP8"\n', "'precision': unknown precision 'FP8'"),
    ('max-batch-size = 0\n', "'max-batch-size' must be integer >= 1"),
    ('max-batch-size = true\n', "'max-batch-size' must be integer >= 1"),
    ('minimum-segment-size = "3"\n', "'minimum-segment-size' must be integer >= 1"),
    ('dynamic-shape = "yes"\n', "'dynamic-shape' must be true or false"),
    ('fail-on = "critical"\n', "'fail-on' must be one of error, warning, info, none"),
    ('grappler = "full"\n', "'grappler' must be one of builtin, tf, none"),
    ('select = ["TRT999"]\n', "'select': unknown rule 'TRT999'"),
    ('ignore = ["no-such-rule"]\n', "'ignore': unknown rule 'no-such-rule'"),
    ('select = 3\n', "'select' must be a list of rule ids"),
    ('[per-node-ignores]\n"a/*" = ["TRT8"]\n', "'per-node-ignores.\"a/*\"': unknown rule 'TRT8'"),
    ('per-node-ignores = ["a"]\n', "'per-node-ignores' must be a table"),
    ('[input-shapes]\nimage = "1xfoox3"\n', "'input-shapes.image': 'foo' is not a dimension"),
    ('[input-shapes]\nimage = [1, 2.5]\n', "'input-shapes.image': dims must be integers"),
    ('input-shapes = "1x2"\n', "'input-shapes' must be a table"),
    ('fail-on = "error"\nfail_on = "info"\n', "given twice"),
    ('profile = \n', "invalid TOML"),
])
def test_invalid_config_is_one_clear_line(tmp_path, body, expected):
    path = tmp_path / "trtlint.toml"
    path.write_text(body)
    with pytest.raises(InputError) as info:
        load_config(path)
    line = info.value.one_line()
    assert "\n" not in line
    assert line.startswith(f"{path}: ")
    assert expected in line, line


def test_pyproject_errors_name_the_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.trtlint]\nprecison = "FP16"\n')
    with pytest.raises(InputError, match=r"unknown key 'tool\.trtlint\.precison'"):
        load_config(path)
    path.write_text('[project]\nname = "x"\n')
    with pytest.raises(InputError, match=r"no \[tool\.trtlint\] table"):
        load_config(path)


def test_merge_precedence_and_filter():
    cfg = parse_config({"profile": "tf1.15", "precision": "INT8", "fail-on": "info",
                        "ignore": ["TRT102"], "input-shapes": {"a": "1x2", "b": "3"},
                        "per-node-ignores": {"keep/*": ["TRT101"]}})
    merged = merge_settings(cfg, {"precision": "FP16", "input_shapes": {"b": (4,)}})
    t = merged.target_options
    assert (t["profile"], t["precision"], t["minimum_segment_size"]) == ("tf1.15", "FP16", 3)
    assert dict(t["input_shapes"]) == {"a": (1, 2), "b": (4,)}
    assert merged.fail_on == "info"
    f = merged.filter
    assert not f.keeps("TRT102", "x") and f.keeps("TRT101", "x")
    assert not f.keeps("TRT101", "keep/deep/node") and f.keeps("TRT101", "other/node")
    assert f.keeps("TRT101", None)  # model-level findings have no node to match
    # CLI select/ignore replace the config's lists
    merged = merge_settings(cfg, {"ignore": ()})
    assert merged.filter.keeps("TRT102", "x")
    assert FindingFilter(select=frozenset({"TRT101"})).apply([]) == []


# -- through the CLI ---------------------------------------------------------------------

def test_cli_uses_discovered_config_and_flags_override(tmp_path):
    model = copy_model("uint8_unknown_dims.pb", tmp_path / "models")
    code, plain, _ = analyze_json(str(model))
    assert code == 0 and "TRT101" in rule_ids_of(plain)
    (tmp_path / "trtlint.toml").write_text(
        'profile = "tf1.15"\nprecision = "FP16"\nminimum-segment-size = 2\n'
        'serving-batch = 4\n[input-shapes]\nimage = "1x300x300x3"\n')
    code, report, err = analyze_json(str(model))
    assert code == 0, err
    assert report["target"]["profile"] == "tf1.15"
    assert report["target"]["precision"] == "FP16"
    assert report["target"]["minimum_segment_size"] == 2
    # the config's input shape makes the engine input fully known: the finding is gone
    assert "TRT101" not in rule_ids_of(report)
    # flags win over the file
    code, report, _ = analyze_json(str(model), "--precision", "FP32", "--profile", "tf2",
                                   "--input-shape", "image=?x?x?x3")
    assert report["target"]["profile"] == "tf2"
    assert report["target"]["precision"] == "FP32"
    assert report["target"]["minimum_segment_size"] == 2
    assert "TRT101" in rule_ids_of(report)
    # --no-config: defaults again
    code, report, _ = analyze_json(str(model), "--no-config")
    assert report["target"]["minimum_segment_size"] == 3
    assert report["target"]["precision"] == "FP32"


def test_cli_select_ignore_and_per_node_ignores(tmp_path):
    model = copy_model("seg_batch_reshape_transpose.pb", tmp_path)
    _, full, _ = analyze_json(str(model), "--no-config")
    nodes = sorted(f["node"] for f in full["findings"] if f["rule"] == "TRT102")
    assert len(nodes) >= 2, full["findings"]
    scope = nodes[0].split("/")[0]
    (tmp_path / "trtlint.toml").write_text(
        f'fail-on = "warning"\n[per-node-ignores]\n"{scope}/*" = ["TRT102"]\n')
    code, report, _ = analyze_json(str(model))
    kept = sorted(f["node"] for f in report["findings"] if f["rule"] == "TRT102")
    assert kept == [n for n in nodes if not n.startswith(scope + "/")]
    assert code == (1 if any(f["severity"] in ("error", "warning") for f in report["findings"])
                    else 0)
    # ignore from the config, select from the command line (which replaces the config's)
    (tmp_path / "trtlint.toml").write_text('ignore = ["TRT102"]\nfail-on = "warning"\n')
    code, report, _ = analyze_json(str(model))
    assert "TRT102" not in rule_ids_of(report)
    code, report, _ = analyze_json(str(model), "--ignore", "TRT2", "--select", "TRT102")
    assert rule_ids_of(report) == {"TRT102"} and code == 1


@pytest.mark.parametrize("body, flag_args, expected", [
    ('precison = "FP16"\n', [], "unknown key 'precison'"),
    ('select = ["TRT000"]\n', [], "unknown rule 'TRT000'"),
    ('profile = "tf1.13"\ndynamic-shape = true\n', [], "--dynamic-shape needs profile tf2"),
    ('', ["--select", "TRT000"], "--select: unknown rule 'TRT000'"),
    ('', ["--fail-on", "fatal"], "--fail-on must be one of"),
])
def test_cli_config_errors_exit_2_with_one_line(tmp_path, body, flag_args, expected):
    model = copy_model("conv_bn_fused.pb", tmp_path)
    (tmp_path / "trtlint.toml").write_text(body)
    result = runner.invoke(app, ["analyze", str(model), *flag_args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("trtlint: error: ")
    assert expected in lines[0]
    if body and not flag_args:
        assert str(tmp_path / "trtlint.toml") in lines[0]
    assert result.stdout == ""


def test_cli_explicit_config_file(tmp_path):
    model = copy_model("conv_bn_fused.pb", tmp_path / "m")
    cfg = tmp_path / "ci" / "pyproject.toml"
    cfg.parent.mkdir()
    cfg.write_text('[tool.trtlint]\nprecision = "INT8"\n')
    code, report, err = analyze_json(str(model), "--config", str(cfg))
    assert code == 0, err
    assert report["target"]["precision"] == "INT8"
    result = runner.invoke(app, ["analyze", str(model), "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and "config file not found" in result.stderr


def test_each_model_gets_its_own_config(tmp_path):
    a = copy_model("conv_bn_fused.pb", tmp_path / "fp16")
    b = copy_model("conv_bn_fused.pb", tmp_path / "int8")
    (tmp_path / "fp16" / "trtlint.toml").write_text('precision = "FP16"\n')
    (tmp_path / "int8" / "trtlint.toml").write_text('precision = "INT8"\n')
    code, data, err = analyze_json(str(a), str(b))
    assert code == 0, err
    assert [r["target"]["precision"] for r in data["reports"]] == ["FP16", "INT8"]


def test_usage_error_without_config_file_has_no_path():
    with pytest.raises(UsageError, match="--ignore: unknown rule 'XYZ'"):
        from trtlint.config import resolve_rule_selectors

        resolve_rule_selectors(["XYZ"], "--ignore")
