"""Small helpers shared by the models (plain functions, no ORM state)."""


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
