"""Preflight probe: run by the interpreter that is meant to do the conversion.

This file is a standalone script, not a trtlint module: ``trtlint convert`` runs
``PYTHON probe.py`` in a child process with the environment the conversion will get, so
the answers are those of that interpreter, that TensorFlow and those libraries. That
interpreter may be an old one (TF 1.x runs on Python 3.6) and may not have trtlint or its
dependencies installed, so the script uses the standard library only and Python 3.6
syntax.

It prints one JSON object per line on stdout, ``{"fact": NAME, "value": ...}``, flushed as
soon as each fact is known. Some questions can kill the process: asking TF-TRT for the
loaded TensorRT version when the library cannot be loaded ends in a fatal
"getInferLibVersion symbol not found" (SIGABRT). The facts printed before such a death
still reach the parent, which then knows exactly which step died.
"""

import json
import os
import platform
import sys


def emit(name, value):
    sys.stdout.write(json.dumps({"fact": name, "value": value}) + "\n")
    sys.stdout.flush()


def first_line(exc):
    text = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, text[0][:300] if text else "")


def tensorflow_distributions():
    """Installed distributions whose name starts with "tensorflow" (tensorflow-cpu tells
    why TF-TRT is missing). importlib.metadata exists from Python 3.8 on."""
    try:
        from importlib import metadata
    except ImportError:
        return None
    found = {}
    for dist in metadata.distributions():
        name = (dist.metadata.get("Name") or "").lower()
        if name.startswith("tensorflow") or name in ("tf-nightly", "tensorrt", "tensorrt-libs"):
            found[name] = dist.version
    return found


def tftrt_utils():
    """The module that answers TF-TRT's own questions; its place changed across releases."""
    candidates = (
        "tensorflow.compiler.tf2tensorrt._pywrap_py_utils",     # TF 2.4 - 2.17
        "tensorflow.python.compiler.tensorrt.wrap_py_utils",    # TF 1.14 - 2.3
        "tensorflow.contrib.tensorrt.wrap_conversion",          # TF 1.7 - 1.13 (contrib)
    )
    import importlib

    errors = []
    for name in candidates:
        try:
            return name, importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - any failure means "not here"
            errors.append("%s (%s)" % (name, first_line(exc)))
    return None, "; ".join(errors)


def version_tuple(value):
    try:
        return [int(x) for x in value]
    except Exception:  # noqa: BLE001
        return None


def gpus(tf):
    """GPUs TensorFlow sees, by the newest API this version has."""
    config = getattr(tf, "config", None)
    for lister in (getattr(config, "list_physical_devices", None),
                   getattr(getattr(config, "experimental", None), "list_physical_devices", None)):
        if lister is not None:
            return [d.name for d in lister("GPU")]
    from tensorflow.python.client import device_lib

    return [d.name for d in device_lib.list_local_devices() if d.device_type == "GPU"]


def main():
    emit("python", {"executable": sys.executable, "version": platform.python_version(),
                    "platform": platform.platform(), "machine": platform.machine()})
    emit("environment", {k: os.environ.get(k) for k in
                         ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "TF_CPP_MIN_LOG_LEVEL")})
    emit("distributions", tensorflow_distributions())
    try:
        import tensorflow as tf
    except Exception as exc:  # noqa: BLE001 - ImportError, or a broken install
        emit("tensorflow", {"importable": False, "error": first_line(exc)})
        return
    emit("tensorflow", {"importable": True, "version": getattr(tf, "__version__", None),
                        "path": os.path.dirname(getattr(tf, "__file__", "") or "")})

    build_info = None
    sysconfig = getattr(tf, "sysconfig", None)
    if sysconfig is not None and hasattr(sysconfig, "get_build_info"):     # TF 2.3+
        try:
            build_info = {k: (v if isinstance(v, (bool, int, str)) else str(v))
                          for k, v in dict(sysconfig.get_build_info()).items()}
        except Exception as exc:  # noqa: BLE001
            build_info = {"error": first_line(exc)}
    emit("build_info", build_info)

    module_name, utils = tftrt_utils()
    if module_name is None:
        emit("tftrt", {"module": None, "error": utils})
    else:
        facts = {"module": module_name}
        linked = getattr(utils, "get_linked_tensorrt_version", None)
        if linked is not None:
            facts["linked"] = version_tuple(linked())
        enabled = getattr(utils, "is_tensorrt_enabled", None)
        # is_tensorrt_enabled() dlopen()s libnvinfer: False when the library is missing.
        facts["enabled"] = bool(enabled()) if enabled is not None else None
        emit("tftrt", facts)
        loaded = getattr(utils, "get_loaded_tensorrt_version", None)
        # Only ask for the loaded version when loading is known to work: otherwise TF-TRT's
        # stub aborts the process (LOG(FATAL) "getInferLibVersion symbol not found").
        if loaded is not None and facts["enabled"]:
            emit("tensorrt_loaded", version_tuple(loaded()))

    try:
        emit("gpus", gpus(tf))
    except Exception as exc:  # noqa: BLE001
        emit("gpus", {"error": first_line(exc)})
    emit("done", True)


if __name__ == "__main__":
    main()
