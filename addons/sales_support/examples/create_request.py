#!/usr/bin/env python3
"""Create a customer request from an e-mail system: the contact is found by its e-mail address.

    python create_request.py --url http://localhost:8069 --db sales_support_demo \\
        --login api --key "$ODOO_API_KEY" --email buyer@customer.example \\
        --subject "Quote 50 desks" --body "Please quote 50 desks, delivery in May." \\
        --received "2026-05-04 07:30:00"

Prints (and ``main()`` returns) the new request: reference, contact, coordinator, first-response
and resolution deadlines (working hours of the company), SLA status.
"""

import html
from datetime import datetime
from email.utils import parseaddr

from rpc_connect import argument_parser, odoorpc_connect, output, parse_args, xmlrpc_connect

CONTACT_FIELDS = ["name", "commercial_partner_id"]
REQUEST_FIELDS = [
    "name",
    "subject",
    "state",
    "channel",
    "partner_id",
    "user_id",
    "coordinator_id",
    "date_received",
    "date_first_response_deadline",
    "date_resolution_deadline",
    "sla_status",
]


def normalize_email(address):
    """'Ann Buyer <Ann@Customer.example>' -> 'ann@customer.example' (Odoo's email_normalized)."""
    email = parseaddr(address)[1].strip().lower()
    if "@" not in email:
        raise ValueError(f"{address!r} is not an e-mail address")
    return email


def request_values(contact_id, subject, body, channel, received=None):
    """Values of ``sales.support.request.create``. The body is plain text: it is escaped into the
    request's HTML description. ``received`` (a naive UTC datetime, e.g. the e-mail's Date
    header) starts the SLA clock; default: now. Server-written fields (first response, SLA
    status, deadlines) are never sent: Odoo refuses them."""
    paragraphs = "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br/>')}</p>"
        for part in (body or "").split("\n\n")
        if part.strip()
    )
    values = {
        "subject": subject,
        "partner_id": contact_id,
        "channel": channel,  # "email" from a mailbox, "api" from another system
        "description": paragraphs or False,
    }
    if received:
        values["date_received"] = received.strftime("%Y-%m-%d %H:%M:%S")
    return values


def utc_datetime(text):
    """'2026-05-04 09:30:00' (UTC) -> datetime; argparse reports a ValueError as a usage error."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def _no_contact(email):
    return LookupError(
        f"No contact of Odoo has the e-mail address {email}: create the contact in Odoo (or ask "
        "sales support to) and send the request again."
    )


def with_xmlrpc(url, db, login, key, email, subject, body="", channel="email", received=None):
    odoo = xmlrpc_connect(url, db, login, key)
    email = normalize_email(email)
    contacts = odoo.call(
        "res.partner",
        "search_read",
        [("email_normalized", "=", email)],
        fields=CONTACT_FIELDS,
        limit=1,
        order="id",
    )
    if not contacts:
        raise _no_contact(email)
    request_id = odoo.call(
        "sales.support.request",
        "create",
        request_values(contacts[0]["id"], subject, body, channel, received),
    )
    [request] = odoo.call("sales.support.request", "read", [request_id], REQUEST_FIELDS)
    return request


def with_odoorpc(url, db, login, key, email, subject, body="", channel="email", received=None):
    odoo = odoorpc_connect(url, db, login, key)
    email = normalize_email(email)
    contacts = odoo.env["res.partner"].search_read(
        [("email_normalized", "=", email)], CONTACT_FIELDS, limit=1, order="id"
    )
    if not contacts:
        raise _no_contact(email)
    Request = odoo.env["sales.support.request"]
    request_id = Request.create(request_values(contacts[0]["id"], subject, body, channel, received))
    [request] = Request.read([request_id], REQUEST_FIELDS)
    return request


def main(argv=None):
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--email", required=True, help="sender's e-mail address")
    parser.add_argument("--subject", required=True)
    parser.add_argument("--body", default="", help="the message, plain text")
    parser.add_argument("--channel", choices=("email", "api"), default="email")
    parser.add_argument(
        "--received",
        type=utc_datetime,
        help="when the message arrived, UTC, 'YYYY-MM-DD HH:MM:SS' (default: now)",
    )
    args = parse_args(parser, argv)
    run = with_odoorpc if args.client == "odoorpc" else with_xmlrpc
    return output(
        run(
            args.url,
            args.db,
            args.login,
            args.key,
            email=args.email,
            subject=args.subject,
            body=args.body,
            channel=args.channel,
            received=args.received,
        )
    )


if __name__ == "__main__":
    main()
