"""The demo city's data files, read and checked (tenants/demo/README.md describes them).

    city.yaml          the sites, in the order they are made
    sites/<key>.yaml   one site: its registry entry (`site:`) and its own pages, taken literally
    every_site.yaml    what every site publishes besides, with `{placeholders}` filled per site

`load_city()` reads them and checks what needs no database: each entry's type and keys, its
column, its slug. `content_for()` gives what one site gets. A mistake raises
`DemoDataError`, which names the file and the entry and says what to change.
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.text import slugify

DEMO_DIR = Path(__file__).resolve().parent
# The C parser when PyYAML was built with libyaml (its wheels are): ~10× the pure-Python one.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SEEDER_KEYS = {"type", "slug", "column", "column_type"}  # read by the seeder, not by page types
REGISTRY_KEYS = {
    "key",
    "kind",
    "legal_name",
    "short_name",
    "parent",
    "site_code",
    "icp_number",
    "police_record_number",
    "sponsor_unit",
    "operator_unit",
    "contact_phone",
    "contact_email",
    "address",
    "languages",
    "motto",
    "document_prefix",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class DemoDataError(Exception):
    """A data file says something the seeder cannot do: the message says where and what to fix."""


@dataclass
class Entry:
    """One page to make: where it was written (for messages), and what it says."""

    where: str
    data: dict

    @property
    def type(self) -> str:
        return self.data.get("type", "article")

    @property
    def slug(self) -> str:
        """The explicit slug, else the one Wagtail would make from the title."""
        return self.data.get("slug") or slugify(self.data.get("title", ""), allow_unicode=True)


@dataclass
class SiteData:
    key: str
    registry: dict
    pages: list[Entry]


@dataclass
class EverySite:
    """every_site.yaml: its pages (templates), the defaults for their keys, other sections."""

    pages: list[dict] = field(default_factory=list)
    defaults: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)


@dataclass
class City:
    sites: list[SiteData]
    every_site: EverySite

    def site(self, key: str) -> SiteData:
        return next(s for s in self.sites if s.key == key)


@cache
def page_types() -> dict:
    """Every demo page type, from the apps named in DEMO_PAGE_TYPES: {type: DemoPageType}."""
    types = {}
    for path in settings.DEMO_PAGE_TYPES:
        types.update(import_string(path))
    return types


def read(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506 (safe loader)
    except FileNotFoundError:
        raise DemoDataError(f"{path}: file missing") from None
    except yaml.YAMLError as exc:
        raise DemoDataError(f"{path}: not valid YAML — {exc}") from None


def load_city(directory: Path = DEMO_DIR) -> City:
    city = read(directory / "city.yaml") or {}
    keys = city.get("sites") or []
    if not keys:
        raise DemoDataError(f"{directory / 'city.yaml'}: list the sites under `sites:`")
    sites = [load_site(directory / "sites" / f"{key}.yaml", key) for key in keys]
    for site in sites:
        parent = site.registry.get("parent")
        if parent and parent not in keys[: keys.index(site.key)]:
            raise DemoDataError(
                f"sites/{site.key}.yaml: parent “{parent}” must be a site listed "
                "before it in city.yaml"
            )
    return City(sites, load_every_site(directory / "every_site.yaml"))


def load_site(path: Path, key: str) -> SiteData:
    data = read(path) or {}
    registry = data.get("site") or {}
    where = f"sites/{path.name}"
    if registry.get("key") != key:
        raise DemoDataError(f"{where}: `site: key:` must be “{key}”, the file's name")
    unknown = set(registry) - REGISTRY_KEYS
    if unknown:
        raise DemoDataError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} under `site:`; "
            f"known: {', '.join(sorted(REGISTRY_KEYS))}"
        )
    pages = [
        Entry(_where(where, n, entry), entry) for n, entry in enumerate(data.get("pages") or [], 1)
    ]
    _check(pages)
    return SiteData(key, registry, pages)


def load_every_site(path: Path) -> EverySite:
    data = read(path) or {}
    pages = data.pop("pages", None) or []
    defaults = data.pop("defaults", None) or {}
    shared = EverySite(pages, defaults, data)
    _check([Entry(_where(path.name, n, entry), entry) for n, entry in enumerate(pages, 1)])
    return shared


def _where(file: str, n: int, entry) -> str:
    title = entry.get("title", "") if isinstance(entry, dict) else ""
    return f"{file}, page {n}" + (f" (“{title}”)" if title else "")


def _check(entries: list[Entry]) -> None:
    types = page_types()
    seen = {}
    for entry in entries:
        if not isinstance(entry.data, dict):
            raise DemoDataError(f"{entry.where}: a page is a mapping of keys (“title: …”)")
        kind = types.get(entry.type)
        if kind is None:
            raise DemoDataError(
                f"{entry.where}: type “{entry.type}” is not a demo page type; "
                f"use one of {', '.join(sorted(types))}"
            )
        unknown = set(entry.data) - SEEDER_KEYS - kind.keys
        if unknown:
            raise DemoDataError(
                f"{entry.where}: unknown key(s) {', '.join(sorted(unknown))} for "
                f"type {entry.type}; it takes {', '.join(sorted(kind.keys))}"
            )
        if ("column" in entry.data) == ("column_type" in entry.data):
            raise DemoDataError(
                f"{entry.where}: give either `column:` (a column's slug) or "
                "`column_type:` (column types to try in turn), not both or neither"
            )
        if not entry.slug:
            raise DemoDataError(f"{entry.where}: no title to make a slug from; give `slug:`")
        if entry.slug in seen:
            raise DemoDataError(
                f"{entry.where}: slug “{entry.slug}” is also {seen[entry.slug]}'s; "
                "give one of them another `slug:`"
            )
        seen[entry.slug] = entry.where


def placeholders(website, registry: dict | None = None) -> dict:
    """The values every_site.yaml's placeholders take for a site."""
    name = website.short_name or website.legal_name
    return {
        "name": name,
        "legal_name": website.legal_name,
        "address": website.address or "",
        "contact_phone": website.contact_phone or "",
        "prefix": (registry or {}).get("document_prefix") or name,
    }


def fill(value, names: dict):
    """`value` with every `{name}` that `names` knows replaced, in strings, lists and mappings;
    other braces are left as they are."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: str(names.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


def unfilled(text: str) -> list[str]:
    """The placeholders left in a text after filling (a typo such as {nmae})."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]


@dataclass
class SiteContent:
    """What one site gets: its page entries and the other sections, placeholders filled in."""

    entries: list[Entry]
    sections: dict


def content_for(website, site: SiteData | None, every_site: EverySite) -> SiteContent:
    """The pages `website` gets: its own (from its file, if it has one), then every site's, with
    the defaults for the keys each type takes and the placeholders filled in for the site."""
    entries = list(site.pages) if site else []
    names = placeholders(website, site.registry if site else None)
    types = page_types()
    for n, template in enumerate(every_site.pages, 1):
        keys = types[template.get("type", "article")].keys
        data = {**{k: v for k, v in every_site.defaults.items() if k in keys}, **template}
        data["title"] = fill(data.get("title", ""), names)
        data = fill(data, {**names, "title": data["title"]})
        entries.append(Entry(_where("every_site.yaml", n, data), data))
    return SiteContent(entries, fill(every_site.sections, names))


def days_ago(value, today: datetime.date) -> datetime.date:
    """A date from the data: a YAML date, "2026-11-23", or "40 days ago"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d+) days? ago", text)
    if match:
        return today - datetime.timedelta(days=int(match.group(1)))
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{value}” is not a date: write 2026-11-23 or “40 days ago”") from None
