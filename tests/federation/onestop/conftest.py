import pytest
from django_tenants.utils import schema_context

from tests.factories import unique
from tests.sites.services.factories import make_item


@pytest.fixture
def publish_item(committed):
    """publish_item(website, **fields) → page, published with the library (and search)
    following, as after an editor's publish."""

    def run(website, **fields):
        fields.setdefault("title", unique("办事事项"))
        with schema_context(website.schema_name), committed():
            return make_item(**fields)

    return run
