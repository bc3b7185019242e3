"""Developer helper: log in to Odoo as a user and save PNG screenshots of pages.

Pages given on the command line, against a running server:

    python scripts/screenshot.py --url http://127.0.0.1:8069 --db sales_support_demo \
        --login coordinator --out docs/ \
        "orders=/odoo/action-sales_support.sale_order_action_support" ...

The screenshots of the READMEs (every role's main screens, from the demo data), with a server
started on a free port for the time of the run (``--serve``, the project's odoo.conf):

    python scripts/screenshot.py --serve --db sales_support_demo --preset readme --out docs/

A page is ``[name=]path[|step|step...]``; ``{model:domain}`` in the path is the id of the first
record of ``model`` (JSON domain) that the user finds; a step clicks the first element matching a
CSS selector, or ``selector@text`` the first one whose text contains ``text``; ``!selector`` waits
for an element without clicking, ``^selector`` scrolls it to the middle of the screen.
Drives headless Chromium over the DevTools protocol (websocket-client); no other dependency.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent
VIEW = ".o_action_manager .o_view_controller"
ORDERS = "/odoo/action-sales_support.sale_order_action_support"

# The READMEs' screenshots: login -> [(file name, page)]
README_SHOTS = {
    "coordinator": [
        ("orders_by_stage", ORDERS),
        ("coordinator_requests", "/odoo/action-sales_support.sales_support_request_action"),
        (
            "coordinator_order_o2c",
            ORDERS + '/{sale.order:[["o2c_stage", "=", "paid"], ["claim_ids", "!=", false]]}'
            "|a.nav-link@Order-to-Cash|^.o_field_widget[name=o2c_event_ids] .o_data_row",
        ),
        (
            "coordinator_claims",
            "/odoo/action-sales_support.sales_support_claim_action"
            "|.o_facet_remove|!.o_list_view .o_data_row",
        ),
        ("coordinator_order_errors", "/odoo/action-sales_support.sales_support_order_error_action"),
    ],
    "assistant": [
        ("assistant_orders", ORDERS + "|.o_switch_view.o_list|!.o_list_view .o_data_row"),
    ],
    "csmanager": [
        ("coordinators", "/odoo/action-sales_support.res_users_action_support_coordinator"),
        (
            "manager_salespeople",
            "/odoo/action-sales_support.res_users_action_support_salesperson"
            "|.o_group_header|!.o_data_row",
        ),
        ("manager_o2c_analysis", "/odoo/action-sales_support.sales_support_o2c_report_action"),
    ],
    "sales01": [
        (
            "salesperson_order",
            '/odoo/action-sale.action_orders/{sale.order:[["o2c_stage", "=", "goods_ready"]]}'
            "|a.nav-link@Order-to-Cash",
        ),
    ],
}


class Browser:
    def __init__(self, width, height):
        binary = (
            shutil.which("chromium")
            or shutil.which("chromium-browser")
            or shutil.which("google-chrome")
        )
        if not binary:
            raise SystemExit("chromium not found: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="ss_shot_")
        port = _free_port()
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={port}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=5) as resp:
                    targets = json.load(resp)
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.2)
        else:
            self.close()
            raise SystemExit("chromium did not open its DevTools port")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.ids = 0

    def call(self, method, **params):
        self.ids += 1
        self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.ids:
                return msg.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True)
        return result["result"].get("value")

    def wait_for(self, selector, text=None, timeout=30):
        """The first element matching ``selector`` (and containing ``text``) exists."""
        check = (
            f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".some(e => !{json.dumps(text)} || e.innerText.includes({json.dumps(text)}))"
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(f"document.readyState === 'complete' && {check}"):
                return True
            time.sleep(0.3)
        print(f"  (timeout waiting for {selector} {text or ''})")
        return False

    def click(self, selector, text=None):
        if self.wait_for(selector, text):
            self.js(
                f"[...document.querySelectorAll({json.dumps(selector)})]"
                f".find(e => !{json.dumps(text)} || e.innerText.includes({json.dumps(text)}))"
                ".click()"
            )

    def record_id(self, url, model, domain):
        """Id of the first ``model`` record of ``domain`` the logged-in user finds (JSON-RPC)."""
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": "search",
                "args": [domain],
                "kwargs": {"limit": 1},
            },
        }
        return self.js(
            f"fetch({json.dumps(url + '/web/dataset/call_kw')}, {{method: 'POST', "
            f"headers: {{'Content-Type': 'application/json'}}, "
            f"body: {json.dumps(json.dumps(body))}}})"
            ".then(r => r.json()).then(r => r.result && r.result[0])"
        )

    def goto(self, url, steps=()):
        self.call("Page.navigate", url=url)
        time.sleep(0.5)
        self.wait_for(VIEW)
        for step in steps:
            time.sleep(0.8)
            if step.startswith("!"):
                self.wait_for(step[1:])
                continue
            if step.startswith("^"):
                if self.wait_for(step[1:]):
                    self.js(
                        f"document.querySelector({json.dumps(step[1:])})"
                        ".scrollIntoView({block: 'center'})"
                    )
                continue
            selector, _, text = step.partition("@")
            self.click(selector, text or None)
        time.sleep(2)  # animations, lazy images, avatars
        # Each page is a full load on a server that has just started: the bus worker left by the
        # previous page may announce "The page is out of date" (asset bundles built meanwhile).
        # That notice is about this tool's navigation, not the screen: close it like a user.
        self.js(
            "document.querySelectorAll('.o_notification:has(.o_notification_buttons) "
            ".o_notification_close').forEach(e => e.click())"
        )
        time.sleep(0.3)

    def shot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        self.proc.terminate()
        shutil.rmtree(self.profile, ignore_errors=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db):
    """Start Odoo on ``db`` and a free port, as tests/conftest.py does; return (process, url)."""
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo")
    port = _free_port()
    env = {**os.environ, "PROJECT_ROOT": str(ROOT), "ODOO_SRC": odoo_src}
    (ROOT / ".logs").mkdir(exist_ok=True)  # git-ignored, as the test logs
    log = open(ROOT / ".logs" / "screenshot-server.log", "w")  # noqa: SIM115 - closed at exit
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
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the Odoo server exited: see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the Odoo server did not answer on {url}: see {log.name}")


def take(url, db, login, password, pages, out, width, height):
    browser = Browser(width, height)
    try:
        browser.call("Page.navigate", url=f"{url}/web/login?db={db}")
        browser.wait_for("input[name=login]")
        browser.js(f"""
            document.querySelector('input[name=login]').value = {json.dumps(login)};
            document.querySelector('input[name=password]').value = {json.dumps(password)};
            document.querySelector('form.oe_login_form').submit();""")
        time.sleep(3)
        for name, page in pages:
            path, *steps = page.split("|")
            path = re.sub(
                r"\{([\w.]+):(.*)\}",
                lambda m: str(browser.record_id(url, m[1], json.loads(m[2]))),
                path,
            )
            browser.goto(f"{url}{path}", steps)
            target = out / f"{name}.png"
            browser.shot(target)
            print(f"saved {target} ({login})")
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument(
        "--serve", action="store_true", help="start a server on --db on a free port for the run"
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", help="with pages: who logs in")
    parser.add_argument("--password", help="default: the login (demo users)")
    parser.add_argument("--preset", choices=["readme"], help="the READMEs' screenshots, per role")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("pages", nargs="*", help="[name=]path[|step...]")
    args = parser.parse_args()
    if args.preset:
        shots = README_SHOTS
    elif args.login and args.pages:
        shots = {args.login: []}
        for spec in args.pages:
            name, sep, page = spec.partition("=")
            if not sep or name.startswith("/"):
                name, page = spec.split("|")[0].strip("/").replace("/", "_").replace(".", "_"), spec
            shots[args.login].append((name, page))
    else:
        parser.error("give --preset, or --login and pages")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server, url = serve(args.db) if args.serve else (None, args.url)
    try:
        for login, pages in shots.items():
            take(url, args.db, login, args.password or login, pages, out, args.width, args.height)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
