from . import sales_support_checklist_override
from . import sales_tender_register
from . import sales_customer_cheque_bounce
from . import sales_support_credit_override
from . import sales_support_statement_wizard
from . import sales_support_meeting_brief
