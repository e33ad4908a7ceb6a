"""Start-up checks of the bubblewrap sandbox: can it run here at all, and with what Python.

`available()` runs these once: it finds the interpreter's installation on the host, starts one
real sandbox and checks from inside that there is no network and that the scientific stack
imports. The same run builds matplotlib's font list once, which every session then copies
(~0.3 s saved on each session's first plot).
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import shutil
from collections.abc import Awaitable, Callable
from importlib import resources

from core.sandbox import _files
from core.sandbox._command import PythonLayout, python_roots
from core.sandbox._process import ReplProcess
from core.sandbox.base import SandboxStartError

NEVER_UNSANDBOXED = "Code is never run unsandboxed."

_LAYOUT_SCRIPT = (
    "import json, os, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix,"
    " sys.base_exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]))"
)

_CHECK_CELL = """
import glob, importlib, json, shutil, socket
report = {"missing": [], "interfaces": [name for _, name in socket.if_nameindex()]}
for name in %(required)r:
    try:
        importlib.import_module(name)
    except Exception as exc:
        report["missing"].append(f"{name} ({type(exc).__name__}: {exc})")
try:
    import matplotlib.font_manager
    for path in glob.glob("/tmp/matplotlib/fontlist-*.json"):
        shutil.copy(path, "/mnt/data/")
except Exception:
    pass
print(json.dumps(report))
"""


class ProbeError(RuntimeError):
    """The sandbox cannot run here; the message is the reason shown to operators."""


def prepare_runtime(runtime: str) -> None:
    """Write the read-only files every session binds: the REPL script and a minimal /etc."""
    os.makedirs(os.path.join(runtime, "etc"), exist_ok=True)
    os.chmod(runtime, 0o755)
    script = resources.files("core.sandbox").joinpath("_repl.py").read_bytes()
    _write(os.path.join(runtime, "repl.py"), script)
    _write(os.path.join(runtime, "etc", "group"), b"root:x:0:\nnogroup:x:65534:\n")


def passwd_for(runtime: str, uid: int) -> str:
    """The /etc/passwd of sessions running as `uid` (written once per uid)."""
    path = os.path.join(runtime, "etc", f"passwd-{uid}")
    if not os.path.exists(path):
        _write(
            path,
            b"root:x:0:0:root:/root:/usr/sbin/nologin\n"
            + f"sandbox:x:{uid}:{uid}:sandbox:/mnt/data:/usr/sbin/nologin\n".encode(),
        )
    return path


def _write(path: str, data: bytes) -> None:
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        file.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


async def python_layout(python: str) -> PythonLayout:
    """Where the interpreter lives, to bind it read-only at the same paths.

    Raises:
        ProbeError: the interpreter cannot run, or its installation is too broad to expose.
    """
    executable = await asyncio.to_thread(_absolute_executable, python)
    try:
        proc = await asyncio.create_subprocess_exec(
            executable,
            "-I",
            "-c",
            _LAYOUT_SCRIPT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    except (OSError, TimeoutError) as exc:
        raise ProbeError(f"the sandbox Python {python!r} cannot run: {exc}") from exc
    if proc.returncode != 0:
        raise ProbeError(f"the sandbox Python {python!r} failed: {err.decode()[-500:]}")
    try:
        roots = python_roots(json.loads(out))
    except ValueError as exc:
        raise ProbeError(f"the sandbox Python {python!r}: {exc}") from exc
    return PythonLayout(executable=executable, roots=roots)


def _absolute_executable(python: str) -> str:
    # Not resolved through symlinks: a venv's `bin/python` must stay the venv's.
    return os.path.abspath(shutil.which(python) or python)


async def check_sandbox(
    start: Callable[[], Awaitable[ReplProcess]],
    workdir: str,
    runtime: str,
    required: tuple[str, ...],
) -> str | None:
    """Run one real sandbox on `workdir`; None when it works, else the reason it does not."""
    try:
        process = await start()
    except SandboxStartError as exc:
        return f"bubblewrap cannot create a sandbox here: {exc}. {NEVER_UNSANDBOXED}"
    try:
        outcome = await process.execute(
            {"code": _CHECK_CELL % {"required": list(required)}, "cpu_time_s": 60}, 65536, 60
        )
    finally:
        await process.kill()
    if outcome.reply is None or not outcome.reply.get("ok"):
        detail = outcome.output.text().strip()[-1000:]
        return f"the sandbox does not run Python correctly: {detail}. {NEVER_UNSANDBOXED}"
    report = json.loads(outcome.output.text().strip().splitlines()[-1])
    if report["interfaces"] != ["lo"]:
        return f"the sandbox is not cut off from the network: {report['interfaces']}"
    if report["missing"]:
        return (
            "the sandbox Python cannot import " + ", ".join(report["missing"]) + "; install "
            "the `sandbox` extra (pip install -e '.[sandbox]'). " + NEVER_UNSANDBOXED
        )
    await asyncio.to_thread(_keep_font_cache, workdir, os.path.join(runtime, "mpl"))
    return None


def _keep_font_cache(workdir: str, target: str) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    for path in glob.glob(os.path.join(workdir, "fontlist-*.json")):
        data = _files.read_file(workdir, os.path.basename(path), 16 * 2**20)
        _write(os.path.join(target, os.path.basename(path)), data)
