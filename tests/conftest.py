"""End-to-end fixtures: a real Odoo server on the test database, on a free port.

The server is started once per session with the project's odoo.conf; tests talk to it
over JSON-RPC (odoorpc) and XML-RPC (xmlrpc.client), as external scripts do."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def odoo_server():
    db = os.environ.get("SALES_SUPPORT_TEST_DB", "sales_support_test")
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo")
    port = _free_port()
    log_dir = ROOT / ".logs" / db
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "e2e-server.log", "w")  # noqa: SIM115 - closed at teardown
    env = {**os.environ, "PROJECT_ROOT": str(ROOT), "ODOO_SRC": odoo_src}
    proc = subprocess.Popen(
        [
            sys.executable,
            f"{odoo_src}/odoo-bin",
            "-c",
            str(ROOT / "odoo.conf"),
            "-d",
            db,
            f"--db-filter=^{db}$",
            f"--http-port={port}",
            "--gevent-port=0",
            "--workers=0",
            "--max-cron-threads=0",
            "--log-level=warn",
            "--no-database-list",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the Odoo server exited ({proc.returncode}): see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError(
                f"the Odoo server did not answer on {url} within 120 s: see {log.name}"
            )
        time.sleep(0.5)
    yield {"url": url, "host": "127.0.0.1", "port": port, "db": db}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def login(odoo_server):
    """Return a function that logs in with odoorpc as the given demo user."""
    import odoorpc

    def _login(user, password=None):
        client = odoorpc.ODOO(odoo_server["host"], port=odoo_server["port"], timeout=120)
        client.login(odoo_server["db"], user, password or user)
        return client

    return _login


@pytest.fixture(scope="session")
def xmlrpc_login(odoo_server):
    """Return a function that logs in over plain XML-RPC (``xmlrpc.client``, as a script without
    odoorpc does) and returns ``call(model, method, *args, **kwargs)`` for that user."""
    import xmlrpc.client

    def _login(user, password=None):
        password = password or user
        common = xmlrpc.client.ServerProxy(f"{odoo_server['url']}/xmlrpc/2/common")
        uid = common.authenticate(odoo_server["db"], user, password, {})
        assert uid, f"cannot log in as {user}"
        models = xmlrpc.client.ServerProxy(f"{odoo_server['url']}/xmlrpc/2/object", allow_none=True)

        def call(model, method, *args, **kwargs):
            return models.execute_kw(
                odoo_server["db"], uid, password, model, method, list(args), kwargs
            )

        return call

    return _login
