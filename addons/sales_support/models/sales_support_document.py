"""One item of a document checklist (an order's or a tender's): a commercial invoice, a
certificate of origin, a bid bond copy..."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from .sales_support_checklist_mixin import BLOCKS

STATES = [
    ("to_prepare", "To Prepare"),
    ("in_preparation", "In Preparation"),
    ("ready", "Ready"),
    ("sent", "Sent"),
    ("returned", "Original Returned / Approved"),
    ("not_applicable", "Not Applicable"),
]


class SalesSupportDocument(models.Model):
    _name = "sales.support.document"
    _description = "Checklist Document"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.support.input.mixin"]
    _order = "date_due, sequence, id"
    _check_company_auto = True
    # stamps written by the actions (mark sent, mark returned)
    _server_fields = ("date_sent", "date_returned", "date_ready")

    # ------------------------------------------------------------
    # Owner
    # ------------------------------------------------------------
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        tracking=True,
    )
    tender_id = fields.Many2one(
        "sales.tender",
        string="Tender",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_owner_values", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_owner_values",
        store=True,
        index=True,
        precompute=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_owner_values",
        store=True,
        index=True,
        precompute=True,
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_owner_values",
        store=True,
        index=True,
        precompute=True,
    )
    # ------------------------------------------------------------
    # The document
    # ------------------------------------------------------------
    document_type_id = fields.Many2one(
        "sales.support.document.type",
        string="Document Type",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    name = fields.Char(related="document_type_id.name", string="Document")
    category = fields.Selection(related="document_type_id.category", store=True, precompute=True)
    is_original_required = fields.Boolean(
        related="document_type_id.is_original_required", store=True, precompute=True
    )
    sequence = fields.Integer(related="document_type_id.sequence", store=True, precompute=True)
    state = fields.Selection(
        STATES, default="to_prepare", required=True, index=True, tracking=True, copy=False
    )
    required = fields.Boolean(default=True, tracking=True)
    blocks = fields.Selection(BLOCKS, default="none", required=True, tracking=True)
    template_line_id = fields.Many2one(
        "sales.support.checklist.template.line",
        string="From Template Line",
        ondelete="set null",
        readonly=True,
    )
    template_id = fields.Many2one(
        related="template_line_id.template_id", string="From Template", store=True, precompute=True
    )
    is_obsolete = fields.Boolean(
        string="No Longer Required",
        readonly=True,
        help="Its template no longer matches the order or tender: it blocks nothing. Work done "
        "on it is kept.",
    )
    date_due = fields.Date(string="Due Date", tracking=True, index=True)
    responsible_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
    )
    issuer_id = fields.Many2one(
        "res.partner",
        string="Issued By",
        help="Who issues the document when it is not us: the customs broker, the certification "
        "body, the bank, the carrier.",
    )
    reference = fields.Char(help="Number of the document (bill of lading number, certificate...)")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "sales_support_document_attachment_rel",
        "document_id",
        "attachment_id",
        string="Files",
    )
    note = fields.Text()
    date_ready = fields.Datetime(string="Ready On", readonly=True, copy=False)
    date_sent = fields.Datetime(string="Sent On", readonly=True, copy=False, index=True)
    date_returned = fields.Datetime(string="Returned On", readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    is_still_out = fields.Boolean(
        string="Still Out",
        compute="_compute_is_still_out",
        store=True,
        precompute=True,
        help="Sent, its original must come back, and it has not come back yet.",
    )
    days_outstanding = fields.Integer(
        compute="_compute_days_outstanding",
        help="Days since the document was sent, while its original is still out.",
    )

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _get_owner(self):
        """The tender (sales_tender.py) or the order of this document."""
        self.ensure_one()
        return self.tender_id or self.order_id

    @api.depends(
        "order_id.company_id",
        "order_id.partner_id",
        "order_id.user_id",
        "order_id.coordinator_id",
        "tender_id.company_id",
        "tender_id.partner_id",
        "tender_id.user_id",
        "tender_id.coordinator_id",
    )
    def _compute_owner_values(self):
        for doc in self:
            owner = doc._get_owner()
            doc.company_id = owner.company_id or doc.company_id or self.env.company
            doc.partner_id = owner.partner_id.commercial_partner_id
            doc.user_id = owner.user_id
            doc.coordinator_id = owner.coordinator_id

    @api.depends("state", "is_original_required")
    def _compute_is_still_out(self):
        for doc in self:
            doc.is_still_out = doc.state == "sent" and doc.is_original_required

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for doc in self:
            doc.is_overdue = bool(
                doc.date_due
                and doc.date_due < today
                and doc.state in ("to_prepare", "in_preparation")
                and not doc.is_obsolete
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Filter overdue documents with = True or = False."))
        domain = [
            ("date_due", "<", fields.Date.context_today(self)),
            ("state", "in", ("to_prepare", "in_preparation")),
            ("is_obsolete", "=", False),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    @api.depends("date_sent", "is_still_out")
    def _compute_days_outstanding(self):
        now = fields.Datetime.now()
        for doc in self:
            doc.days_outstanding = (
                (now - doc.date_sent).days if doc.is_still_out and doc.date_sent else 0
            )

    @api.depends("document_type_id", "order_id")
    def _compute_display_name(self):
        for doc in self:
            owner = doc._get_owner()
            doc.display_name = (
                f"{owner.display_name}: {doc.document_type_id.name}"
                if owner
                else doc.document_type_id.name or ""
            )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("order_id")
    def _check_owner(self):
        """A document belongs to an order or a tender (tenders add ``tender_id`` to the
        constrained fields by overriding this method)."""
        for doc in self:
            if not doc._get_owner():
                raise ValidationError(
                    _("A checklist document belongs to an order or a tender: set one.")
                )

    @api.constrains("blocks", "required")
    def _check_blocks_required(self):
        for doc in self:
            if doc.blocks != "none" and not doc.required:
                raise ValidationError(
                    _(
                        "%(document)s is optional: an optional document cannot block a step.",
                        document=doc.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
            if vals.get("state", "to_prepare") != "to_prepare" and not self.env.su:
                raise UserError(
                    _(
                        "A new document is to prepare: then use its buttons (ready, sent, "
                        "returned, not applicable)."
                    )
                )
            if not any(vals.get(f) for f in ("order_id", "tender_id")):
                raise ValidationError(
                    _("A checklist document belongs to an order or a tender: set one.")
                )
        documents = super().create(vals_list)
        documents._link_attachments()
        return documents

    def write(self, vals):
        self._check_server_fields(vals)
        if "state" in vals and not self.env.su:
            raise UserError(
                _(
                    "Change the state of a document with its buttons (ready, sent, returned, "
                    "not applicable): they record the step in the Order-to-Cash ledger."
                )
            )
        if "blocks" in vals or ("required" in vals and not vals["required"]):
            self.filtered(
                lambda d: vals.get("blocks", d.blocks) != d.blocks
                or not vals.get("required", d.required)
            )._check_can_unblock()
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._link_attachments()
        return res

    def _link_attachments(self):
        """Files given with the document itself (an external script sends them inline, as
        ``(0, 0, {name, datas})``) are created without a record: only their creator could read
        them, and the order or tender would not open for anyone else. They become the
        document's, so that whoever reads the document reads its files (Odoo's own rule)."""
        for document in self:
            loose = document.attachment_ids.filtered(
                lambda a: not a.res_id and a.create_uid == self.env.user
            )
            # sudo: res_model/res_id of the user's own new files, set to the document they
            # were just given to (the user may write the document: this write checked it)
            loose.sudo().write({"res_model": self._name, "res_id": document.id})

    def _check_can_unblock(self):
        """Making a blocking document block nothing (optional, another step, not applicable)
        lets the step go on without it: that is an override, for support managers only (the
        assistant and the coordinator do the paperwork, they do not waive it)."""
        blocking = self.filtered(lambda d: d.blocks != "none" and d.required and not d.is_obsolete)
        if (
            not blocking
            or self.env.su
            or self.env.user.has_group("sales_support.group_support_manager")
        ):
            return
        raise AccessError(
            _(
                "%(documents)s blocks a step (%(step)s): only a support manager can waive it "
                "(Override Missing Documents, with a reason). Prepare the document, or ask a "
                "support manager.",
                documents=", ".join(blocking.mapped("display_name")),
                step=dict(self._fields["blocks"]._description_selection(self.env))[
                    blocking[0].blocks
                ],
            )
        )

    def _differs(self, vals):
        """Whether writing ``vals`` would change this document (no useless writes)."""
        self.ensure_one()
        for name, value in vals.items():
            current = self[name]
            if isinstance(current, models.BaseModel):
                current = current.id
            if current != value:
                return True
        return False

    # ------------------------------------------------------------
    # Actions (public, callable over RPC)
    # ------------------------------------------------------------
    def _set_state(self, state, event_type=None, stamp=None):
        """Move the documents to ``state`` (as the user: record rules apply), stamp the date and
        log ``event_type`` in the Order-to-Cash ledger."""
        self.check_access("write")
        now = fields.Datetime.now()
        vals = {"state": state}
        if stamp:
            vals[stamp] = now
        # sudo: the state is written only here (write() refuses it from users); access was
        # checked above, as the user
        self.sudo().write(vals)
        if event_type:
            self._log_document_events(event_type, now)
        return True

    def _log_document_events(self, event_type, date):
        values = []
        for doc in self:
            owner_values = {"order_id": doc.order_id}
            if "tender_id" in doc._fields:
                owner_values["tender_id"] = doc.tender_id
            values.append(
                {
                    **owner_values,
                    "event_type": event_type,
                    "date": date,
                    "source": doc,
                    "name": lambda env, doc=doc: doc.document_type_id.with_env(env).name,
                }
            )
        self.env["sales.support.o2c.event"]._log_events(values)

    def action_mark_in_preparation(self):
        todo = self.filtered(lambda d: d.state == "to_prepare")
        return todo._set_state("in_preparation") if todo else True

    def action_mark_ready(self):
        """Mark the documents ready (ledger: document_ready)."""
        wrong = self.filtered(lambda d: d.state not in ("to_prepare", "in_preparation"))
        if wrong:
            raise UserError(
                _(
                    "Only documents to prepare or in preparation can be marked ready: "
                    "%(documents)s.",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        return self._set_state("ready", "document_ready", "date_ready")

    def action_mark_sent(self):
        """Mark the documents sent to the customer, the bank or the broker (ledger:
        document_sent; a document not yet ready is also logged ready)."""
        wrong = self.filtered(lambda d: d.state in ("sent", "returned", "not_applicable"))
        if wrong:
            raise UserError(
                _(
                    "These documents are already sent, returned or not applicable: "
                    "%(documents)s.",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        not_ready = self.filtered(lambda d: d.state != "ready")
        if not_ready:
            not_ready._set_state("ready", "document_ready", "date_ready")
        return self._set_state("sent", "document_sent", "date_sent")

    def action_mark_returned(self):
        """The signed original came back, or the document was approved (ledger:
        document_returned)."""
        wrong = self.filtered(lambda d: d.state != "sent")
        if wrong:
            raise UserError(
                _(
                    "Only sent documents can come back: %(documents)s.",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        return self._set_state("returned", "document_returned", "date_returned")

    def action_mark_not_applicable(self):
        wrong = self.filtered(lambda d: d.state in ("sent", "returned"))
        if wrong:
            raise UserError(
                _(
                    "Sent documents stay on the checklist: %(documents)s.",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        self.filtered(lambda d: d.state != "not_applicable")._check_can_unblock()
        return self._set_state("not_applicable")

    def action_reset(self):
        """Back to 'to prepare' (a document set not applicable by mistake, or to redo)."""
        return self._set_state("to_prepare")

    @api.model
    def get_still_out(self, partner_ids=None):
        """Signed originals still out, as a list of dicts (RPC): ``id``, ``document``,
        ``order``, ``customer_id``, ``customer``, ``date_sent``, ``days_outstanding``."""
        domain = [("is_still_out", "=", True)]
        if partner_ids:
            domain.append(("partner_id", "in", partner_ids))
        docs = self.search(domain, order="date_sent")
        return [
            {
                "id": doc.id,
                "document": doc.document_type_id.name,
                "order": doc._get_owner().display_name,
                "customer_id": doc.partner_id.id,
                "customer": doc.partner_id.display_name,
                "date_sent": fields.Datetime.to_string(doc.date_sent),
                "days_outstanding": doc.days_outstanding,
            }
            for doc in docs
        ]
