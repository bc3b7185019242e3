"""Small helpers shared by the models (plain functions, no ORM state)."""


def count_related(records, model_name, field_name, domain=()):
    """{record: number of ``model_name`` records whose ``field_name`` points to it}, in one query."""
    return dict(records.env[model_name]._read_group(
        [(field_name, "in", records.ids), *domain], [field_name], ["__count"]))
