import pytest
from django.core.cache import caches

from pagecache import integrations, middleware


@pytest.fixture
def pagecache(settings):
    """The page cache switched on and empty (as tests/pagecache's fixture)."""
    settings.PAGECACHE_ENABLED = True
    integrations.cancel_pending()
    caches["pages"].clear()
    middleware.forget_local_hosts()
    yield caches["pages"]
    integrations.cancel_pending()
    caches["pages"].clear()
    middleware.forget_local_hosts()
