from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import SalesSupportRequestCommon

MAIL_TEMPLATE = """Return-Path: {return_path}
To: {to}
cc: {cc}
Received: by mail1.example.com (Postfix, from userid 10002)
    id 5DF9ABFB2A; Mon, 19 Jan 2026 09:16:39 +0100 (CET)
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Date: Mon, 19 Jan 2026 08:16:26 +0000
Message-ID: {msg_id}
{extra}
Hello, please quote 20 lathes.
"""


@tagged("post_install", "-at_install")
class TestRequestMail(SalesSupportRequestCommon, MockEmail):
    """E-mails to the sales-support alias, by the company setting "Requests by e-mail from"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls._init_mail_servers()
        cls.alias = cls.env.ref("sales_support.mail_alias_sales_support_request")
        cls.alias.alias_domain_id = cls.mail_alias_domain
        cls.alias_address = f"sales-support@{cls.alias_domain}"
        cls.mail_company = cls.env.company  # the company of the mail gateway (superuser)
        cls.supplier = cls.env["res.partner"].create(
            {"name": "A Supplier", "email": "sales@supplier.example.com", "supplier_rank": 1}
        )

    def _send(self, email_from, subject):
        return self.format_and_process(
            MAIL_TEMPLATE,
            email_from,
            self.alias_address,
            subject=subject,
            return_path=email_from,
            target_model="sales.support.request",
            target_field="subject",
        )

    def _set_policy(self, policy):
        # the customer-service manager changes the setting in Settings > Sales Support
        settings = (
            self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create({})
        )
        settings.support_request_alias_contact = policy
        settings.execute()
        self.assertEqual(self.mail_company.support_request_alias_contact, policy)

    def test_known_contacts_by_default(self):
        self.assertEqual(self.mail_company.support_request_alias_contact, "partners")
        with self.mock_mail_gateway():
            request = self._send(
                "Customer One <buyer@customer-one.example.com>", "Price of 20 lathes?"
            )
        self.assertEqual(len(request), 1)
        self.assertEqual(request.partner_id, self.customer_1)
        self.assertEqual(request.channel, "email")
        self.assertEqual(
            request.type_id,
            self.env.ref("sales_support.request_type_quotation"),
            "e-mails mostly ask for quotations",
        )
        self.assertEqual(request.coordinator_id, self.coordinator)
        self.assertNotSentEmail()

        with self.mock_mail_gateway():
            unknown = self._send("Stranger <someone@unknown.example.com>", "Cheap watches")
        self.assertFalse(unknown, "no request from an unknown sender")
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "someone@unknown.example.com")]),
            "and no contact created for them",
        )
        self.assertSentEmail(
            f'"MAILER-DAEMON" <{self.alias_bounce}@{self.alias_domain}>',
            ['"Stranger" <someone@unknown.example.com>'],
            body_content="we could not find your address among them",
        )

    def test_everyone(self):
        self._set_policy("everyone")
        with self.mock_mail_gateway():
            request = self._send("New Prospect <prospect@new.example.com>", "Do you sell lathes?")
        self.assertEqual(len(request), 1)
        self.assertEqual(request.partner_id.email, "prospect@new.example.com")
        self.assertNotSentEmail()

    def test_customers_only(self):
        self._set_policy("customers")
        with self.mock_mail_gateway():
            refused = self._send("A Supplier <sales@supplier.example.com>", "Our new catalogue")
        self.assertFalse(refused, "a known contact who is not a customer")
        self.assertSentEmail(
            f'"MAILER-DAEMON" <{self.alias_bounce}@{self.alias_domain}>',
            ['"A Supplier" <sales@supplier.example.com>'],
            body_content="Please write from the address your salesperson knows",
        )
        contact = self.env["res.partner"].create(
            {
                "name": "Buyer",
                "email": "buyer2@customer-one.example.com",
                "parent_id": self.customer_1.id,
            }
        )
        with self.mock_mail_gateway():
            request = self._send("Buyer <buyer2@customer-one.example.com>", "20 lathes please")
        self.assertEqual(request.partner_id, contact)
        self.assertEqual(request.commercial_partner_id, self.customer_1)
