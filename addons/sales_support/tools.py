"""Small helpers shared by the models (plain functions, no ORM state) and one field type."""

from odoo import fields


class OptionalFloat(fields.Float):
    """A non-stored float that can be empty, such as the duration of a step not reached: Odoo's
    Float makes an empty value 0.0, which the form and RPC would show as 0 h. Computes assign
    None or False; records, ``read`` and exports give False (blank)."""

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        return super().convert_to_cache(value, record, validate=validate)

    def convert_to_record(self, value, record):
        return False if value is None else value

    def convert_to_export(self, value, record):
        return "" if value is False or value is None else super().convert_to_export(value, record)


def without_client_defaults(records, fnames):
    """``records`` without the context's ``default_<field>`` keys of ``fnames`` (unless
    superuser). ``create`` fills the fields missing from its values with the context's defaults:
    a client's context must not set what only the server writes."""
    context = records.env.context
    keys = {f"default_{fname}" for fname in fnames} & context.keys()
    if not keys or records.env.su:
        return records
    # the keys must be removed, not set to False (a False default would empty a required
    # field such as a state): only a whole new context removes keys
    # pylint: disable-next=context-overridden
    return records.with_context({k: v for k, v in context.items() if k not in keys})


def count_related(records, model_name, field_name, domain=()):
    """{record: number of ``model_name`` records whose ``field_name`` points to it}, in one
    query."""
    return dict(
        records.env[model_name]._read_group(
            [(field_name, "in", records.ids), *domain], [field_name], ["__count"]
        )
    )


def form_action(record):
    """Window action opening ``record`` in its form view."""
    return {
        "type": "ir.actions.act_window",
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(False, "form")],
    }


def format_delay(env, delta):
    """A ``timedelta`` in plain words of ``env``'s language: "2 d 3 h", "3 h 20 min", "12 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return env._("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return env._("%(minutes)s min", minutes=minutes)
