"""Search backends, chosen by the FEDERATION_SEARCH_BACKEND setting: "postgres" (default) or
"elasticsearch" (ELASTICSEARCH_URL). Views, the API and the library call `get_backend()` and
never know which one answers."""

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "postgres": "federation.search.backends.postgres.PostgresBackend",
    "elasticsearch": "federation.search.backends.elasticsearch.ElasticsearchBackend",
}
_cache = {}


def get_backend(name: str | None = None):
    name = name or getattr(settings, "FEDERATION_SEARCH_BACKEND", "postgres")
    if name not in BACKENDS:
        raise ValueError(f"unknown search backend {name!r}; choose one of {', '.join(BACKENDS)}")
    key = (name, getattr(settings, "ELASTICSEARCH_URL", ""))
    if key not in _cache:
        _cache[key] = import_string(BACKENDS[name])()
    return _cache[key]
