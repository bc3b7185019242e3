import shutil

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):

    def _require_browser(self):
        """Odoo skips tours silently without a browser: here a missing browser is a failure."""
        if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
            self.fail("No Chromium on PATH: install it (apt-get install chromium), the tours cannot run.")
        try:
            import websocket  # noqa: F401
        except ImportError:
            self.fail("websocket-client is missing (pip install -r requirements.txt): the tours cannot run.")

    def test_coordinator_tour(self):
        self._require_browser()
        self.start_tour("/odoo", "sales_support_coordinator_tour", login="coordinator")
