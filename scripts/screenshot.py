"""Developer helper: log in to a running Odoo as a user and save PNG screenshots of pages.

    python scripts/screenshot.py --url http://127.0.0.1:8069 --db sales_support_demo \
        --login coordinator --out docs/ "/odoo/action-sales_support.sale_order_action_support" ...

Drives headless Chromium over the DevTools protocol (websocket-client); no other dependency.
"""
import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket


class Browser:
    def __init__(self, width, height):
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("chromium not found: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="ss_shot_")
        self.proc = subprocess.Popen([
            binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={self.profile}", "--remote-debugging-port=9333",
            f"--window-size={width},{height}", "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:9333/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.ids = 0

    def call(self, method, **params):
        self.ids += 1
        self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.ids:
                return msg.get("result", {})

    def goto(self, url, wait_selector=None, timeout=30):
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        while time.time() < deadline:
            time.sleep(0.5)
            ready = self.call("Runtime.evaluate", expression="document.readyState")["result"].get("value")
            if ready == "complete" and (not wait_selector or self.call(
                    "Runtime.evaluate", expression=f"!!document.querySelector({json.dumps(wait_selector)})"
            )["result"].get("value")):
                time.sleep(1.5)
                return
        print(f"  (timeout waiting for {wait_selector or 'load'} on {url})")

    def js(self, expression):
        return self.call("Runtime.evaluate", expression=expression, awaitPromise=True)["result"].get("value")

    def shot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        self.proc.terminate()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--password")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("pages", nargs="+", help="paths, optionally name=path")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser(args.width, args.height)
    try:
        browser.goto(f"{args.url}/web/login?db={args.db}", "input[name=login]")
        browser.js(f"""
            document.querySelector('input[name=login]').value = {json.dumps(args.login)};
            document.querySelector('input[name=password]').value = {json.dumps(args.password or args.login)};
            document.querySelector('form.oe_login_form').submit();""")
        time.sleep(3)
        for spec in args.pages:
            name, _, path = spec.rpartition("=")
            name = name or path.strip("/").replace("/", "_").replace(".", "_")
            browser.goto(f"{args.url}{path}", ".o_action_manager .o_view_controller")
            target = out / f"{name}.png"
            browser.shot(target)
            print(f"saved {target}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
