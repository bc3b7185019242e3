from odoo import _, api, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import without_client_defaults

# Longest text a script may write in a Char field of ours (a subject, a name, a reference).
MAX_CHAR_LENGTH = 1024
# Longest Text/Html value (a description, an e-mail body).
MAX_TEXT_LENGTH = 1_000_000
SCALAR_TYPES = {
    "char",
    "text",
    "html",
    "selection",
    "integer",
    "float",
    "monetary",
    "boolean",
    "date",
    "datetime",
    "many2one",
}


class SalesSupportInputMixin(models.AbstractModel):
    """Checks the values a script sends over RPC before Odoo converts them, so that bad input
    gets a ValidationError that names the field and says what to send (faultCode 2), not a
    ValueError or a database error with a traceback (faultCode 1), and nothing is written."""

    _name = "sales.support.input.mixin"
    _description = "Sales Support: input checks"
    # Fields only the server writes (stamps, links made by actions): models list them and call
    # _check_server_fields at the top of their create/write.
    _server_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_input_values(vals)
        return super(
            SalesSupportInputMixin, without_client_defaults(self, self._server_fields)
        ).create(vals_list)

    def write(self, vals):
        self._check_input_values(vals)
        return super().write(vals)

    @api.model
    def _check_server_fields(self, vals):
        forged = set(self._server_fields) & vals.keys()
        if forged and not self:
            # create: the web client sends the default of every field of the form (the
            # statusbar's state, empty stamps); only a value other than the default is forged
            defaults = without_client_defaults(self, forged).default_get(list(forged))
            forged = {f for f in forged if vals[f] and vals[f] != defaults.get(f)}
        if forged and not self.env.su:
            labels = ", ".join(
                sorted(self._fields[f].get_description(self.env)["string"] for f in forged)
            )
            raise AccessError(
                _(
                    "%(fields)s of %(model)s are set by Odoo from the actions that cause them and "
                    "cannot "
                    "be written: use the action instead.",
                    fields=labels,
                    model=self._description,
                )
            )

    @api.model
    def _check_input_values(self, vals):
        if not isinstance(vals, dict):
            raise ValidationError(_("Send the values as a dictionary of field names and values."))
        description = self._description
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                raise ValidationError(
                    _(
                        "%(model)s has no field %(field)s: check the field name (see the model's "
                        "fields with fields_get).",
                        model=description,
                        field=name,
                    )
                )
            if field.type not in SCALAR_TYPES or value is False or value is None:
                continue
            label = field.get_description(self.env)["string"]
            problem = self._get_input_problem(field, value)
            if problem:
                raise ValidationError(
                    _(
                        "Wrong value for %(field)s (%(name)s) of %(model)s (%(value)s): "
                        "%(problem)s",
                        field=label,
                        name=name,
                        model=description,
                        value=repr(value)[:80],
                        problem=problem,
                    )
                )

    @api.model
    def _get_input_problem(self, field, value):
        """What is wrong with ``value`` for ``field`` (a sentence), or None."""
        ftype = field.type
        if ftype in ("char", "text", "html"):
            if not isinstance(value, str):
                return _("send a text.")
            limit = MAX_CHAR_LENGTH if ftype == "char" else MAX_TEXT_LENGTH
            if len(value) > limit:
                return _("at most %(limit)s characters.", limit=limit)
            return None
        if ftype == "many2one":
            if isinstance(value, models.BaseModel):
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                return _(
                    "send the id (a whole number) of a record of %(model)s.",
                    model=self.env[field.comodel_name]._description,
                )
            return None
        if ftype == "boolean":
            return None if value in (True, False, 0, 1) else _("send true or false.")
        if ftype == "selection":
            allowed = [key for key, _label in field._description_selection(self.env)]
            if value not in allowed:
                return _("choose one of %(values)s.", values=", ".join(map(str, allowed)))
            return None
        if ftype == "integer":
            return (
                None
                if isinstance(value, int) and not isinstance(value, bool)
                else _("send a whole number.")
            )
        if ftype in ("float", "monetary"):
            return (
                None
                if isinstance(value, int | float) and not isinstance(value, bool)
                else _("send a number.")
            )
        try:
            field.convert_to_cache(value, self)
        except (ValueError, TypeError, OverflowError):
            if ftype == "date":
                return _("send a date as YYYY-MM-DD.")
            return _("send a date and time as YYYY-MM-DD HH:MM:SS (UTC).")
        return None
