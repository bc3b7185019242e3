from . import sales_support_o2c_report
from . import sales_support_request_report
from . import sales_support_statement_report
from . import sales_support_collection_report
