from . import sales_support_checklist_override
from . import sales_tender_register
