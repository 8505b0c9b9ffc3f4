"""The demo city's hall: the life-event list (a city seeder, DEMO_CITY_SEEDERS; idempotent)."""

from .services import ensure_life_events


def seed() -> dict:
    ensure_life_events()
    return {}
