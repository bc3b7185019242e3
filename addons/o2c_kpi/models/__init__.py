from . import o2c_kpi_definition
from . import o2c_kpi_value
