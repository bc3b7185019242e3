from . import test_o2c_kpi_access
from . import test_o2c_kpi_rating
from . import test_ui_dashboard
from . import test_o2c_kpi_report
from . import test_kpi_engine
from . import test_kpi_snapshot
from . import test_kpi_access
