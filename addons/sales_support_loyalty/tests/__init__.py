from . import test_daily_digest_loyalty
from . import test_assistant_order_form
