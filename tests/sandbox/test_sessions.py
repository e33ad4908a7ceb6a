"""Cells, session state and files: what code_interpreter relies on."""

from __future__ import annotations

import csv
import io

from core.sandbox import BubblewrapSandbox, SandboxLimits, SessionRef
from tests.sandbox.conftest import new_session

LIMITS = SandboxLimits(wall_time_s=20)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_plain_cell(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    """Output is captured and a trailing expression's value is shown, as in a notebook."""
    result = await sandbox.run(session, "print('hello')\n6 * 7", LIMITS)
    assert result.error is None
    assert result.exit_code == 0
    assert result.logs == "hello\n42\n"
    assert not result.session_reset


async def test_exception_is_data(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    """A failing cell returns its traceback in the logs and one clear error line."""
    result = await sandbox.run(session, "def f():\n    return 1 / 0\nf()", LIMITS)
    assert result.exit_code == 1
    assert result.error == "ZeroDivisionError: division by zero"
    assert 'File "<cell-1>", line 2, in f' in result.logs
    assert "/opt/runwright" not in result.logs  # the REPL's own frames are hidden


async def test_variables_persist_within_a_session(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    await sandbox.run(session, "import math\ncounter = 41", LIMITS)
    result = await sandbox.run(session, "counter += 1\nprint(counter, math.pi > 3)", LIMITS)
    assert result.logs == "42 True\n"


async def test_variables_do_not_leak_across_sessions(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    await sandbox.run(session, "secret = 'thread A'", LIMITS)
    other = await sandbox.run(new_session(), "secret", LIMITS)
    assert other.error == "NameError: name 'secret' is not defined"


async def test_files_are_reported_and_stay_in_the_session(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    code = "import os\nos.makedirs('out', exist_ok=True)\nopen('out/a.txt', 'w').write('abc')"
    result = await sandbox.run(session, code, LIMITS)
    assert [(f.path, f.size_bytes) for f in result.files_written] == [("/mnt/data/out/a.txt", 3)]
    assert await sandbox.read_file(session, "/mnt/data/out/a.txt", 1024) == b"abc"

    unchanged = await sandbox.run(session, "open('out/a.txt').read()", LIMITS)
    assert unchanged.files_written == []
    assert unchanged.logs == "'abc'\n"
    other = await sandbox.run(new_session(), "import os\nos.listdir('.')", LIMITS)
    assert other.logs == "[]\n"


async def test_read_file_never_follows_symlinks(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """The worker reads session files with more rights than the sandbox: a planted symlink
    to a host file must not be followed."""
    await sandbox.run(session, "import os\nos.symlink('/etc/hostname', 'link')", LIMITS)
    try:
        await sandbox.read_file(session, "/mnt/data/link", 1024)
    except FileNotFoundError:
        pass
    else:
        raise AssertionError("read_file followed a symlink")


async def test_docs_example_csv_in_chart_and_summary_out(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """The Assistants docs' example: a CSV in, pandas summary and a matplotlib chart out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["month", "revenue"])
    for month, revenue in enumerate([120, 135, 150, 149, 170, 190], start=1):
        writer.writerow([month, revenue])
    path = await sandbox.put_file(session, "sales.csv", buffer.getvalue().encode())
    assert path == "/mnt/data/sales.csv"

    code = (
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n"
        "df = pd.read_csv('/mnt/data/sales.csv')\n"
        "fig, ax = plt.subplots()\n"
        "df.plot(x='month', y='revenue', ax=ax, marker='o', title='Revenue by month')\n"
        "fig.savefig('/mnt/data/revenue.png')\n"
        "print(f\"mean revenue {df['revenue'].mean():.1f}, max in month "
        "{int(df.loc[df['revenue'].idxmax(), 'month'])}\")\n"
    )
    result = await sandbox.run(session, code, LIMITS)

    assert result.error is None, result.logs
    assert "mean revenue 152.3, max in month 6" in result.logs
    assert [f.path for f in result.files_written] == ["/mnt/data/revenue.png"]
    png = await sandbox.read_file(session, "/mnt/data/revenue.png", 10 * 2**20)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 5000
    # The figure left open is also returned as an image output, like a notebook shows it.
    assert len(result.images) == 1
    assert result.images[0].startswith(PNG_SIGNATURE)


async def test_everyday_library_needs_work(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    """multiprocessing (/dev/shm), the user's name, time zones: what libraries quietly need."""
    code = (
        "from multiprocessing import Pool\nimport getpass, pandas as pd\n"
        "with Pool(2) as pool:\n    squares = pool.map(abs, [-1, -2])\n"
        "print(squares, getpass.getuser(), pd.Timestamp('2024-01-01', tz='Europe/Oslo').hour)"
    )
    result = await sandbox.run(session, code, LIMITS)
    assert result.error is None, result.logs
    assert result.logs == "[1, 2] sandbox 0\n"
