from . import test_daily_digest_loyalty
