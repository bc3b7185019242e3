from . import sales_support_digest
