"""The session process inside the sandbox: applies the limits, then runs cells like a notebook.

Runs under the sandbox's Python with the standard library only (it is bind-mounted read-only as a
single file; nothing else of the project is visible). Protocol with the worker:

- stdin: one JSON line per cell, `{"code": str, "token": str, "cpu_time_s": int}`;
- stdout and stderr (one pipe): the cell's output, then the end marker `<token>` once the cell
  is done, so the worker knows where this cell's output ends;
- the result fd (number in the config): one JSON line per cell, after the marker, and a first
  `{"ready": true}` line once the limits are in force.

Variables live in one namespace for the life of the process, so state persists across calls.
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextlib
import errno
import io
import json
import linecache
import os
import resource
import shutil
import signal
import sys
import time
import traceback
from types import FrameType
from typing import Any

MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""PNG bytes returned per call across all figures; more figures are closed without output."""


class CpuTimeExceeded(BaseException):
    """Raised from SIGXCPU; a BaseException so that `except Exception` in user code keeps it."""


def main() -> None:
    config: dict[str, Any] = json.loads(sys.argv[1])
    _apply_limits(config)
    _drop_privileges(config)
    os.chdir(config["workdir"])
    commands, results = _take_protocol_fds(config["result_fd"])
    _seed_matplotlib_cache(config.get("mpl_cache"))
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    sys.path.insert(0, os.getcwd())  # as in a notebook, modules written to /mnt/data import
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    main_pid = os.getpid()
    _send(results, {"ready": True, "pid": main_pid})
    for cell_number, line in enumerate(commands, start=1):
        request = json.loads(line)
        reply = _run_cell(request, namespace, config, cell_number)
        if os.getpid() != main_pid:  # a fork() in user code came back here: never serve twice
            _flush()
            os._exit(0)
        reply["images"] = _collect_figures()
        _flush()
        _kill_strays(main_pid)
        os.write(1, request["token"].encode())
        _send(results, reply)


def _apply_limits(config: dict[str, Any]) -> None:
    # Hard limits equal soft ones so user code cannot raise them back (no CAP_SYS_RESOURCE).
    # RLIMIT_NPROC is set here, after the namespaces exist: it is checked against the session's
    # own uid, so one session's fork bomb does not eat another's budget.
    for name, value in (
        ("RLIMIT_AS", config["memory_bytes"]),
        ("RLIMIT_NPROC", config["max_processes"]),
        ("RLIMIT_FSIZE", config["file_size_bytes"]),
        ("RLIMIT_NOFILE", 1024),
        ("RLIMIT_CORE", 0),
    ):
        limit = getattr(resource, name)
        resource.setrlimit(limit, (value, value))


def _drop_privileges(config: dict[str, Any]) -> None:
    uid = config.get("uid")
    if uid is None or os.getuid() != 0:
        return
    if uid == 0:
        raise SystemExit("refusing to run sandboxed code as root")
    # The sandbox starts as root only to get here; no capability survives setuid to non-root.
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _take_protocol_fds(result_fd: int) -> tuple[io.BufferedReader, int]:
    # Move the protocol off fds 0 and result_fd so user code can neither read the next cell
    # (input() gets EOF) nor forge a result; dup() makes the copies non-inheritable.
    commands = os.fdopen(os.dup(0), "rb")
    results = os.dup(result_fd)
    os.close(result_fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return commands, results


def _seed_matplotlib_cache(source: str | None) -> None:
    target = os.environ.get("MPLCONFIGDIR")
    if not source or not target or not os.path.isdir(source):
        return
    # The font list takes ~0.3 s to build; the worker builds it once and every session copies it.
    os.makedirs(target, exist_ok=True)
    for name in os.listdir(source):
        shutil.copyfile(os.path.join(source, name), os.path.join(target, name))


def _on_sigxcpu(signum: int, frame: FrameType | None) -> None:
    raise CpuTimeExceeded


def _send(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _arm_cpu_limit(seconds: int) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (used + seconds, resource.RLIM_INFINITY))


def _run_cell(
    request: dict[str, Any], namespace: dict[str, Any], config: dict[str, Any], number: int
) -> dict[str, Any]:
    filename = f"<cell-{number}>"
    code: str = request["code"]
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    config["cpu_time_s"] = int(request["cpu_time_s"])
    _arm_cpu_limit(config["cpu_time_s"])
    try:
        _execute(code, filename, namespace)
    except SystemExit as exc:
        if exc.code in (0, None):
            return {"ok": True, "error": None}
        return _failure(exc, config)
    except BaseException as exc:
        return _failure(exc, config)
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY,) * 2)
    return {"ok": True, "error": None}


def _execute(code: str, filename: str, namespace: dict[str, Any]) -> None:
    tree = ast.parse(code, filename, "exec")
    trailing: ast.Expression | None = None
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        tree.body.pop()
        trailing = ast.Expression(last.value)
    exec(compile(tree, filename, "exec"), namespace)
    if trailing is not None:
        value = eval(compile(trailing, filename, "eval"), namespace)
        if value is not None:
            namespace["_"] = value
            print(repr(value))


def _failure(exc: BaseException, config: dict[str, Any]) -> dict[str, Any]:
    _flush()
    # Drop the frames of this module: the traceback starts at the user's cell.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("".join(lines))
    return {"ok": False, "error": _describe(exc, config)}


def _describe(exc: BaseException, config: dict[str, Any]) -> str:
    plain = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, MemoryError):
        return f"Memory limit of {config['memory_bytes'] // 2**20} MB exceeded ({plain})"
    if isinstance(exc, CpuTimeExceeded):
        return f"CPU time limit of {config['cpu_time_s']} s exceeded"
    if (isinstance(exc, BlockingIOError) and exc.errno == errno.EAGAIN) or (
        isinstance(exc, RuntimeError) and "can't start new thread" in str(exc)
    ):
        return f"Process limit reached ({config['max_processes']} processes and threads; {plain})"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return f"File size limit of {config['file_size_bytes'] // 2**20} MB exceeded ({plain})"
    return plain


def _collect_figures() -> list[str]:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    images: list[str] = []
    budget = MAX_IMAGE_BYTES
    try:
        for number in pyplot.get_fignums():
            buffer = io.BytesIO()
            pyplot.figure(number).savefig(buffer, format="png")
            if buffer.tell() <= budget:
                budget -= buffer.tell()
                images.append(base64.b64encode(buffer.getvalue()).decode())
        pyplot.close("all")
    except Exception:
        traceback.print_exc()
    return images


def _kill_strays(main_pid: int) -> None:
    """Kill every other process of the sandbox: a call's processes never outlive it.

    `kill(-1)` inside the sandbox's pid namespace reaches only its processes (not pid 1, the
    namespace's init, nor this one); reaping our children keeps zombies from holding the
    process budget. Repeated because a fork bomb may fork between two sweeps.
    """
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        others = [pid for pid in _live_pids() if pid not in (1, main_pid)]
        if not others:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        _reap()
        time.sleep(0.001)


def _live_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                state = stat.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            pids.append(int(entry))
    return pids


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    main()
