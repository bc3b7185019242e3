from . import o2c_kpi_refresh
