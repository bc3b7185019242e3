"""Document checklists: the engine shared by sale orders and tenders.

API for a model that has a document checklist (``sale.order``, ``sales.tender``)
---------------------------------------------------------------------------------
Inherit ``sales.support.checklist.mixin`` and:

* give ``sales.support.document`` a Many2one to the model (``order_id`` for orders, ``tender_id``
  for tenders; the ``sales.support.document`` compute ``_compute_owner_values`` reads the owner's
  ``partner_id``, ``user_id``, ``coordinator_id``, ``company_id``: extend its ``@api.depends``
  with ``tender_id.*`` in the tender file) and a One2many ``support_document_ids`` back;
* override :meth:`_checklist_applies_to` (``'order'`` or ``'tender'``), which also names the owner
  field on documents and on ledger events (``<applies_to>_id``: ``order_id`` / ``tender_id``);
* override :meth:`_checklist_match_values` and :meth:`_checklist_anchor_dates` if the defaults
  (``partner_id.country_id``, no incoterm, no payment term, no product, no letter of credit) are
  not right for the model;
* list the fields whose change re-applies the templates in :meth:`_checklist_trigger_fields`.

Then:

* templates apply on create and on write of a trigger field (batch, see
  :meth:`_checklist_apply_templates`); call it yourself after other changes;
* ``record._checklist_check('submission')`` (or ``'delivery'``, ``'invoicing'``) raises a
  ``UserError`` listing the missing blocking documents, unless a support manager overrode that
  block for that record (:meth:`action_checklist_override` opens the wizard);
* ``records._checklist_missing(block)`` returns the missing documents (a recordset);
* ``checklist_count``, ``checklist_ready_count``, ``checklist_progress`` ("3 / 5 ready") are
  computed (not stored) for list and form views.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Documents that no longer need work: they never block.
DONE_STATES = ("ready", "sent", "returned", "not_applicable")
# Documents on which work was done: never set to "not applicable" by a template change.
WORKED_STATES = ("in_preparation", "ready", "sent", "returned")
BLOCKS = [
    ("none", "Nothing"),
    ("submission", "Tender Submission"),
    ("delivery", "Delivery Validation"),
    ("invoicing", "Invoice Posting"),
]
ANCHORS = [
    ("submission", "Tender Submission Deadline"),
    ("shipment", "Planned Shipment"),
    ("invoice", "Invoice Date"),
]


class SalesSupportChecklistMixin(models.AbstractModel):
    _name = "sales.support.checklist.mixin"
    _description = "Sales Support: document checklist"

    checklist_count = fields.Integer(
        string="Document Count", compute="_compute_checklist_progress", compute_sudo=False
    )
    checklist_ready_count = fields.Integer(
        string="Documents Ready", compute="_compute_checklist_progress", compute_sudo=False
    )
    checklist_missing_count = fields.Integer(
        string="Documents Missing",
        compute="_compute_checklist_progress",
        compute_sudo=False,
        help="Required documents still to prepare (not ready, sent, returned, not applicable).",
    )
    checklist_progress = fields.Char(
        string="Checklist",
        compute="_compute_checklist_progress",
        compute_sudo=False,
        help="Documents ready (or sent, returned) out of the documents that apply.",
    )

    # ------------------------------------------------------------
    # Hooks for the concrete models
    # ------------------------------------------------------------
    @api.model
    def _checklist_applies_to(self):
        """``'order'`` or ``'tender'``: which templates apply, and the owner field
        (``<value>_id``) on documents and ledger events."""
        raise NotImplementedError

    @api.model
    def _checklist_owner_field(self):
        return f"{self._checklist_applies_to()}_id"

    @api.model
    def _checklist_trigger_fields(self):
        """Fields whose change re-applies the templates."""
        return {"partner_id", "company_id"}

    def _checklist_match_values(self):
        """What templates are matched on, for each record of ``self``:
        ``{record.id: {'company': res.company, 'country': res.country (or empty),
        'is_export': bool, 'incoterm': account.incoterms, 'payment_term':
        account.payment.term, 'categories': product.category, 'letter_of_credit': bool}}``.
        Implementations must read fields of ``self`` as a batch (prefetch), never query per
        record."""
        result = {}
        for record in self:
            country = record.partner_id.commercial_partner_id.country_id
            company = record.company_id
            result[record.id] = {
                "company": company,
                "country": country,
                "is_export": bool(country and company.country_id and country != company.country_id),
                "incoterm": self.env["account.incoterms"],
                "payment_term": self.env["account.payment.term"],
                "categories": self.env["product.category"],
                "letter_of_credit": False,
            }
        return result

    def _checklist_anchor_dates(self):
        """``{record.id: {'submission': date, 'shipment': date, 'invoice': date}}`` (``date``
        objects or False): due dates of documents are anchor + the line's offset in days."""
        return {record.id: {} for record in self}

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _compute_checklist_progress(self):
        owner_field = self._checklist_owner_field()
        counts = defaultdict(lambda: [0, 0, 0])
        if self.ids:
            groups = self.env["sales.support.document"]._read_group(
                [(owner_field, "in", self.ids), ("state", "!=", "not_applicable")],
                [owner_field, "state", "required"],
                ["__count"],
            )
            for owner, state, required, count in groups:
                counts[owner.id][0] += count
                if state in DONE_STATES:
                    counts[owner.id][1] += count
                elif required:
                    counts[owner.id][2] += count
        for record in self:
            total, ready, missing = counts[record.id] if record.id else (0, 0, 0)
            record.checklist_count = total
            record.checklist_ready_count = ready
            record.checklist_missing_count = missing
            record.checklist_progress = (
                _("%(ready)s / %(total)s ready", ready=ready, total=total) if total else False
            )

    # ------------------------------------------------------------
    # CRUD: templates follow the record
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._checklist_apply_templates(new=True)
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._checklist_trigger_fields() & vals.keys():
            self._checklist_apply_templates()
        return res

    # ------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------
    def _checklist_apply_templates(self, new=False):
        """Apply every matching template to every record of ``self``, in a number of queries
        that does not depend on the number of records:

        * a document type required by a matching template line and not yet on the checklist is
          added (one document per record and type; when several matching lines name the same
          type, the strictest wins, see :meth:`_checklist_wanted_lines`);
        * a document added by a template that no longer matches is flagged obsolete: it is set
          to "not applicable" only if no work was done on it (still "to prepare"); in
          preparation, ready, sent or returned documents keep their state, their attachments and
          dates; obsolete documents never block;
        * a document whose template matches again comes back (to prepare if it had been set
          aside); due dates of documents still to prepare follow the anchor dates;
        * documents added by hand (without template line) are never touched.

        ``new``: the records were just created (no document to look up).
        """
        records = self.filtered("id")
        if not records:
            return
        Document = self.env["sales.support.document"].sudo()
        # sudo: templates are configuration read by everyone who edits an order; the documents
        # they create belong to records the user may write (checked by the caller's write).
        templates = (
            self.env["sales.support.checklist.template"]
            .sudo()
            .search(
                [
                    ("applies_to", "=", self._checklist_applies_to()),
                    ("company_id", "in", [False, *records.company_id.ids]),
                ]
            )
        )
        if not templates:
            return  # documents of deactivated templates stay as they are
        owner_field = self._checklist_owner_field()
        existing = (
            Document
            if new
            else Document.search_fetch(
                [(owner_field, "in", records.ids)],
                [owner_field, "document_type_id", "template_line_id", "state", "is_obsolete"],
            )
        )
        match_values = records._checklist_match_values()
        anchors = records._checklist_anchor_dates()
        by_owner_type = {(doc[owner_field].id, doc.document_type_id.id): doc for doc in existing}

        to_create = []
        writes = defaultdict(lambda: Document)  # frozen vals -> documents
        kept = set()
        for record in records:
            wanted = self._checklist_wanted_lines(templates, match_values[record.id])
            for type_id, line in wanted.items():
                due = line._get_due_date(anchors.get(record.id, {}))
                doc = by_owner_type.get((record.id, type_id))
                if not doc:
                    to_create.append(
                        {
                            owner_field: record.id,
                            "document_type_id": type_id,
                            "template_line_id": line.id,
                            "required": line.required,
                            "blocks": line.blocks,
                            "date_due": due,
                        }
                    )
                    continue
                kept.add(doc.id)
                if doc.template_line_id or doc.is_obsolete:  # else added by hand: it stands
                    writes[frozenset(self._checklist_rematch_values(doc, line, due).items())] |= doc
        for doc in existing:
            if doc.id in kept or not doc.template_line_id or doc.is_obsolete:
                continue
            vals = {"is_obsolete": True}
            if doc.state == "to_prepare":
                vals["state"] = "not_applicable"
            writes[frozenset(vals.items())] |= doc
        for vals, docs in writes.items():
            docs = docs.filtered(lambda d, vals=dict(vals): d._differs(vals))
            if docs:
                docs.with_context(tracking_disable=True).write(dict(vals))
        if to_create:
            Document.with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
            ).create(to_create)

    @api.model
    def _checklist_wanted_lines(self, templates, values):
        """{document type id: template line} of the ``templates`` matching ``values``. When
        several matching lines name the same type (the export template and the letter-of-credit
        template both want a commercial invoice), the strictest wins: a blocking line before a
        non-blocking one, a required line before an optional one, then by template and line
        sequence. So a stricter template is never weakened by a looser one that also matches."""
        candidates = {}
        for rank, template in enumerate(templates):
            if template._matches(values):
                for line in template.line_ids:
                    key = (line.blocks == "none", not line.required, rank, line.sequence, line.id)
                    best = candidates.get(line.document_type_id.id)
                    if best is None or key < best[0]:
                        candidates[line.document_type_id.id] = (key, line)
        return {type_id: line for type_id, (_key, line) in candidates.items()}

    @api.model
    def _checklist_rematch_values(self, doc, line, due):
        """Values of a template document whose template (still or again) matches."""
        vals = {
            "template_line_id": line.id,
            "required": line.required,
            "blocks": line.blocks,
            "is_obsolete": False,
        }
        if doc.is_obsolete and doc.state == "not_applicable":
            vals["state"] = "to_prepare"
        if doc.state in ("to_prepare", "not_applicable"):
            vals["date_due"] = due
        return vals

    def _checklist_missing(self, block=None):
        """Documents of ``self`` that are not ready (nor sent, returned, not applicable), are
        not obsolete and are required; only those blocking ``block`` when given."""
        domain = [
            (self._checklist_owner_field(), "in", self.ids),
            ("state", "not in", DONE_STATES),
            ("required", "=", True),
            ("is_obsolete", "=", False),
        ]
        if block:
            domain.append(("blocks", "=", block))
        # sudo: the step being blocked (a warehouse user validating a delivery) may be done by
        # someone who cannot read the order's checklist; only the list of names is shown.
        return self.env["sales.support.document"].sudo().search(domain)

    def _checklist_overridden(self, block):
        """Records of ``self`` for which a support manager overrode ``block``."""
        overrides = (
            self.env["sales.support.document.override"]
            .sudo()  # sudo: see _checklist_missing
            .search_fetch(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), ("block", "=", block)],
                ["res_id"],
            )
        )
        return self.browse(set(overrides.mapped("res_id")))

    def _checklist_check(self, block):
        """Raise a UserError listing, per record, the required documents that block ``block``
        and are missing, unless a support manager overrode ``block`` for that record."""
        missing = self._checklist_missing(block)
        if not missing:
            return
        owner_field = self._checklist_owner_field()
        blocked = self.browse(missing[owner_field].ids) - self._checklist_overridden(block)
        if not blocked:
            return
        blocks_field = self.env["sales.support.document"]._fields["blocks"]
        step = dict(blocks_field._description_selection(self.env))[block]
        lines = []
        for record in blocked:
            names = ", ".join(
                missing.filtered(lambda d, r=record: d[owner_field] == r).mapped(
                    "document_type_id.name"
                )
            )
            lines.append(f"- {record.display_name}: {names}")
        raise UserError(
            _(
                "%(step)s is blocked: these documents are not ready yet.\n%(lines)s\n"
                "Mark them ready on the checklist, or ask a support manager to override "
                "with a reason.",
                step=step,
                lines="\n".join(lines),
            )
        )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_checklist_apply_templates(self):
        self.check_access("write")
        self._checklist_apply_templates()
        return True

    def action_checklist_override(self):
        """Open the override wizard (support managers only: checked by the wizard)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Missing Documents"),
            "res_model": "sales.support.checklist.override",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_id": self.id,
                "default_block": self.env.context.get("checklist_block")
                or (self._checklist_missing()[:1].blocks or "delivery"),
            },
        }

    def action_view_checklist_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_document_action"
        )
        owner_field = self._checklist_owner_field()
        action["domain"] = [(owner_field, "=", self.id)]
        action["context"] = {f"default_{owner_field}": self.id}
        return action


def due_date(anchor, offset_days):
    """``anchor`` (a date or datetime, or False) shifted by ``offset_days``; False without
    anchor."""
    if not anchor:
        return False
    if hasattr(anchor, "date"):
        anchor = anchor.date()
    return anchor + timedelta(days=offset_days)
