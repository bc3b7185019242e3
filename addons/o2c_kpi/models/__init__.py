from . import res_company
from . import res_config_settings
from . import sale_order
from . import sales_support_request
from . import o2c_kpi_definition
from . import o2c_kpi_value
from . import crm_team
from . import res_users
