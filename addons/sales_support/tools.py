"""Small helpers shared by the models (plain functions, no ORM state)."""


def count_related(records, model_name, field_name, domain=()):
    """{record: number of ``model_name`` records whose ``field_name`` points to it}, in one query."""
    return dict(records.env[model_name]._read_group(
        [(field_name, "in", records.ids), *domain], [field_name], ["__count"]))


def form_action(record):
    """Window action opening ``record`` in its form view."""
    return {
        "type": "ir.actions.act_window",
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(False, "form")],
    }
