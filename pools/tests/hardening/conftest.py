from pools.tests.tracking.conftest import api, group, pools_url, stock  # noqa: F401
