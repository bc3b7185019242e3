"""scripts/checklog.py: the log gate of `make test` fails on what it must fail on."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "checklog.py"

IMPORT_ERROR = (
    "2026-01-05 10:00:00,001 42 ERROR ? odoo.tests.common: Importing test framework, "
    "avoid importing from business modules and when not running in test mode\n"
    "Stack (most recent call last):\n"
    '  File "/x/site-packages/pytest_odoo.py", line 115, in pytest_cmdline_main\n'
    "    support_subtest()\n"
)
ACCESS_WARNING = (
    "2026-01-05 10:00:01,002 42 WARNING db1 odoo.http: Sorry, Carla doesn't have "
    "'read' access to: Sales Order\n"
)
TRACEBACK = (
    "2026-01-05 10:00:02,003 42 ERROR db1 odoo.http: "
    "Exception during request handling.\n"
    "Traceback (most recent call last):\n"
    "ZeroDivisionError: division by zero\n"
)
INFO = "2026-01-05 10:00:03,004 42 INFO db1 odoo.modules.loading: loaded\n"


def _run(tmp_path, *logs, config=None):
    args = [sys.executable, str(SCRIPT)]
    if config is not None:
        cfg = tmp_path / "allow.cfg"
        cfg.write_text(config)
        args += ["--config", str(cfg)]
    for i, (kind, text) in enumerate(logs):
        log = tmp_path / f"{i}.log"
        log.write_text(text)
        args.append(f"{kind}={log}")
    res = subprocess.run(args, capture_output=True, text=True, check=False)
    return res.returncode, res.stdout + res.stderr


def test_project_allow_list_accepts_pytest_odoo_start_up(tmp_path):
    rc, out = _run(tmp_path, ("pytest", "Running as root\n" + IMPORT_ERROR + INFO))
    assert rc == 0, out
    assert "1 allowed" in out


@pytest.mark.parametrize("record", [TRACEBACK, ACCESS_WARNING])
def test_unexpected_record_fails(tmp_path, record):
    rc, out = _run(tmp_path, ("install", IMPORT_ERROR + record))
    assert rc == 1, out
    assert "UNEXPECTED" in out and record.splitlines()[0] in out


def test_refused_rpc_calls_are_allowed_in_the_e2e_server_log_only(tmp_path):
    rc, out = _run(tmp_path, ("e2e-server", ACCESS_WARNING + INFO))
    assert rc == 0, out
    rc, out = _run(tmp_path, ("e2e-server", ACCESS_WARNING + TRACEBACK))
    assert rc == 1, out
    assert "Exception during request handling" in out


def test_record_in_an_unknown_format_is_not_silently_passed(tmp_path):
    rc, out = _run(tmp_path, ("pytest", "10:00:00,001 42 WARNING db1 odoo.x: no date\n"))
    assert rc == 1, out
    assert "unknown format" in out


def test_allow_list_entry_without_reason_is_refused(tmp_path):
    config = "[checklog-odoo]\nignore =\n    WARNING \\S+ odoo\\.http:\n"
    rc, out = _run(tmp_path, ("install", ACCESS_WARNING), config=config)
    assert rc == 2, out
    assert "has no reason" in out


def test_allow_list_entry_with_reason_allows(tmp_path):
    config = (
        "[checklog-odoo]\nignore =\n"
        "    # refused on purpose by this test\n"
        "    WARNING \\S+ odoo\\.http:\n"
    )
    rc, out = _run(tmp_path, ("install", ACCESS_WARNING), config=config)
    assert rc == 0, out
    assert "refused on purpose by this test" in out


def test_missing_log_fails(tmp_path):
    res = subprocess.run(
        [sys.executable, str(SCRIPT), f"install={tmp_path / 'none.log'}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1
    assert "does not exist" in res.stdout
