from odoo import api, models


class ReportSalesSupportStatement(models.AbstractModel):
    _name = "report.sales_support.report_statement"
    _description = "Statement of Account Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["sales.support.statement.wizard"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "sales.support.statement.wizard",
            "docs": wizards,
            # each statement checks that the user serves the customer
            "statements": {wizard.id: wizard._get_statement() for wizard in wizards},
        }
