"""Log in to Sales Support with an API key, with either client the examples show.

- ``xmlrpc_connect``: Python's own ``xmlrpc.client`` (``/xmlrpc/2/common`` and
  ``/xmlrpc/2/object``), nothing to install;
- ``odoorpc_connect``: the ``odoorpc`` library (``pip install odoorpc``), JSON-RPC.

An API key replaces the password in every call (Odoo: Preferences > Account Security > New API
Key). Keys of users who are not administrators expire after at most 90 days. Do not put keys in
code or command lines that others can read: the examples also take them from the environment
variable ``ODOO_API_KEY``.

Faults: Odoo answers bad input with a fault whose message says what to fix. Over XML-RPC,
``xmlrpc.client.Fault.faultCode`` is 2 for a ``UserError``/``ValidationError``, 3 for a wrong
login or key, 4 for an ``AccessError``; 1 is a server error (please report it). odoorpc raises
``odoorpc.error.RPCError`` whose ``info["data"]["name"]`` names the exception class.
"""

import argparse
import json
import os
import sys
import xmlrpc.client
from urllib.parse import urlsplit

# Seconds an RPC call may take before the client gives up (the KPI reads are the slowest).
DEFAULT_TIMEOUT = 120


class _TimeoutMixin:
    """``xmlrpc.client`` transports have no timeout: a server that stops answering would block
    the integration for ever."""

    def __init__(self, *args, timeout=DEFAULT_TIMEOUT, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class TimeoutTransport(_TimeoutMixin, xmlrpc.client.Transport):
    pass


class TimeoutSafeTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    pass


class XmlRpcSession:
    """An XML-RPC session: ``uid`` and ``call(model, method, *args, **kwargs)``, which is
    ``execute_kw(db, uid, key, model, method, args, kwargs)``."""

    def __init__(self, url, db, login, key, timeout=DEFAULT_TIMEOUT):
        url = url.rstrip("/")
        transport_class = TimeoutSafeTransport if url.startswith("https:") else TimeoutTransport

        def proxy(endpoint):
            return xmlrpc.client.ServerProxy(
                f"{url}/xmlrpc/2/{endpoint}",
                transport=transport_class(timeout=timeout),
                allow_none=True,
            )

        self.db, self.key = db, key
        self.uid = proxy("common").authenticate(db, login, key, {})
        if not self.uid:
            raise PermissionError(
                f"Odoo refused the login {login!r} with this API key on database {db!r}: check "
                "the login, the database and that the key is not revoked nor expired."
            )
        self._object = proxy("object")

    def call(self, model, method, *args, **kwargs):
        return self._object.execute_kw(self.db, self.uid, self.key, model, method, args, kwargs)


def xmlrpc_connect(url, db, login, key, timeout=DEFAULT_TIMEOUT):
    return XmlRpcSession(url, db, login, key, timeout=timeout)


def odoorpc_connect(url, db, login, key, timeout=DEFAULT_TIMEOUT):
    """An ``odoorpc.ODOO`` logged in with the API key (over ``/jsonrpc``)."""
    import odoorpc  # only this client needs the library

    parts = urlsplit(url)
    https = parts.scheme == "https"
    odoo = odoorpc.ODOO(
        parts.hostname,
        protocol="jsonrpc+ssl" if https else "jsonrpc",
        port=parts.port or (443 if https else 80),
        timeout=timeout,
    )
    odoo.login(db, login, key)
    return odoo


def argument_parser(description):
    """The options every example takes: ``--url --db --login --key`` and ``--client``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--url", required=True, help="Odoo's address, e.g. https://odoo.example.com"
    )
    parser.add_argument("--db", required=True, help="database name")
    parser.add_argument("--login", required=True, help="login of the API user")
    parser.add_argument(
        "--key",
        default=os.environ.get("ODOO_API_KEY"),
        help="API key of that user (default: the environment variable ODOO_API_KEY)",
    )
    parser.add_argument(
        "--client",
        choices=("xmlrpc", "odoorpc"),
        default="xmlrpc",
        help="xmlrpc: Python's xmlrpc.client (default); odoorpc: the odoorpc library",
    )
    return parser


def parse_args(parser, argv=None):
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("give the API key with --key or the environment variable ODOO_API_KEY")
    return args


def output(data):
    """Write ``data`` as JSON on standard output (for a shell pipeline) and return it."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return data
