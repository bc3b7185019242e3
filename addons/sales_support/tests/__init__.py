from . import test_assignment
from . import test_access_rights
from . import test_multi_company
from . import test_performance
