import pytest
from django.core.cache import caches

from pagecache import integrations, middleware


@pytest.fixture
def pagecache(settings):
    """The page cache switched on, empty, with this process's host memory forgotten."""
    settings.PAGECACHE_ENABLED = True
    integrations.cancel_pending()  # another test's broadcast may still have its second purge due
    caches["pages"].clear()
    middleware.forget_local_hosts()
    yield caches["pages"]
    integrations.cancel_pending()  # a second purge still pending must not hit the next test
    caches["pages"].clear()
    middleware.forget_local_hosts()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits(): …` — run the on-commit purges as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
