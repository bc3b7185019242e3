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
    def _opening_entry(cls, items, day):
        """The opening balance of customers' receivables migrated as one posted miscellaneous
        entry of ``day``: per (customer, amount, due date) of ``items``, a debit on the
        customer's receivable account with its due date; the credit on the opening equity."""
        company_domain = cls.env["account.journal"]._check_company_domain(cls.company)
        journal = cls.env["account.journal"].search(
            [*company_domain, ("type", "=", "general")], limit=1
        )
        equity = cls.env["account.account"].search(
            [
                *cls.env["account.account"]._check_company_domain(cls.company),
                ("account_type", "in", ("equity_unaffected", "equity")),
            ],
            limit=1,
        )
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": day,
                "ref": "Opening balance",
                "company_id": cls.company.id,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Opening balance",
                            "partner_id": partner.id,
                            "account_id": partner.with_company(
                                cls.company
                            ).property_account_receivable_id.id,
                            "debit": amount,
                            "date_maturity": due,
                        }
                    )
                    for partner, amount, due in items
                ]
                + [
                    Command.create(
                        {
                            "name": "Opening balance",
                            "account_id": equity.id,
                            "credit": sum(amount for _p, amount, _d in items),
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay_entry(cls, entry, partner, amount, day):
        """A payment of ``partner`` received on ``day``, reconciled by the accountant with the
        partner's receivable of ``entry`` (an opening balance has no invoice to register a
        payment on)."""
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": day,
                "journal_id": cls.bank_journal.id,
                "company_id": cls.company.id,
            }
        )
        payment.action_post()
        lines = (entry.line_ids | payment.move_id.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
            and line.partner_id == partner
            and not line.reconciled
        )
        lines.reconcile()
        return payment

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
