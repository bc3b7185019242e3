from datetime import date

from odoo import Command

from .common import SalesSupportCommon


class SalesSupportAccountingCommon(SalesSupportCommon):
    """Customers with invoices in the company currency (USD) and in EUR (2 EUR for 1 USD)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.company.currency_id
        cls.eur = cls.env.ref("base.EUR")
        if cls.eur == cls.usd:
            cls.eur = cls.env.ref("base.GBP")
        cls.eur.active = True
        cls.env["res.currency.rate"].search(
            [("currency_id", "in", (cls.eur | cls.usd).ids)]
        ).unlink()
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.eur.id, "name": "2000-01-01", "rate": 2.0, "company_id": False}
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(cls.company), ("type", "=", "bank")],
            limit=1,
        )
        cls.company.write(
            {
                "account_use_credit_limit": True,
                "sales_support_credit_policy": "warn",
                "sales_support_exposure_receivable": True,
                "sales_support_exposure_to_invoice": True,
                "sales_support_exposure_cheques": True,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, day, currency=None, due=None, move_type="out_invoice"):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": day,
                "date": day,
                "invoice_date_due": due or day,
                "invoice_payment_term_id": False,
                "currency_id": (currency or cls.usd).id,
                "company_id": cls.company.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount, day, currency=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": day,
                    "journal_id": cls.bank_journal.id,
                    "currency_id": (currency or invoices[:1].currency_id).id,
                    "payment_difference_handling": "open",
                }
            )
        )
        return wizard._create_payments()

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
