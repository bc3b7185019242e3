from . import test_assignment
from . import test_access_rights
from . import test_multi_company
from . import test_performance
from . import test_request
from . import test_milestones
from . import test_order_error
from . import test_ui
