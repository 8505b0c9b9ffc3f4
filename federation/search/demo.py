"""The demo city's search index: built once from the library, after the library has projected
every site's demo pages (a city seeder, DEMO_CITY_SEEDERS, after federation.library.demo)."""

from .backends import get_backend


def seed() -> dict:
    return {"indexed": get_backend().rebuild()}
