"""Checking text against the platform's and the site's dictionaries.

    findings = check_text("…", field="body", label="正文")      # the current schema's site
    findings = check_fields([("title", "标题", title), ("body", "正文", body)])
    blocking = serious(findings)                                # the ones that block publishing

Two dictionaries apply in a site: the platform's (public schema, edited by operators in the
console) and the site's own (its schema, edited by its webmaster). Each is compiled once per
process and version (the cache key is (schema, version)); a change bumps the schema's version,
so every process recompiles (a random token,
not a counter: see bump) on its next check. One query per check reads both versions.
"""

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from .matcher import ALLOW, Entry, Matcher, fold_term
from .models import (
    DEFAULT_SEVERITY,
    DictionaryVersion,
    Kind,
    OfficialTitle,
    ScreeningTerm,
    Severity,
)

log = logging.getLogger(__name__)

PLATFORM = "platform"
SITE = "site"
SOURCE_LABELS = {PLATFORM: "全平台词库", SITE: "本站词库"}
CONTEXT_CHARS = 12


@dataclass(frozen=True)
class Finding:
    """One hit, at its exact place: `start`/`end` are offsets in the text of `field`."""

    field: str
    field_label: str
    start: int
    end: int
    text: str  # the words as written
    kind: str
    term: str  # the dictionary entry that matched
    suggestion: str
    severity: str
    source: str
    note: str
    before: str
    after: str

    @property
    def serious(self) -> bool:
        return self.severity == Severity.SERIOUS

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def fingerprint(self) -> str:
        return f"{self.field}|{self.kind}|{fold_term(self.text)}"[:300]


def serious(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.serious]


# --- dictionaries, compiled per (schema, version) ----------------------------------------

# Least recently used first. A worker that touches every site of a large city would otherwise
# keep one matcher per site for its whole life; the platform's own (public) one is always used
# and so always recent.
_compiled: OrderedDict[tuple[str, int], Matcher] = OrderedDict()
_lock = threading.Lock()
COMPILED_LIMIT = 200


def versions(schema: str) -> tuple[int, int]:
    """(platform version, site version) in one query; the site's is 0 in the public schema."""
    public = get_public_schema_name()
    table = DictionaryVersion._meta.db_table
    with connection.cursor() as cursor:
        if schema == public:
            cursor.execute(f'SELECT (SELECT version FROM "{public}"."{table}" WHERE id = 1)')  # noqa: S608
            return (cursor.fetchone()[0] or 0, 0)
        cursor.execute(
            f'SELECT (SELECT version FROM "{public}"."{table}" WHERE id = 1), '  # noqa: S608
            f'(SELECT version FROM "{schema}"."{table}" WHERE id = 1)'
        )
        platform, site = cursor.fetchone()
    return (platform or 0, site or 0)


def entries(schema: str, source: str) -> list[Entry]:
    """The dictionary of `schema` as matcher entries: its terms, and what its person↔title
    table implies (a wrong title next to a name; the right ones allowed)."""
    with schema_context(schema):
        terms = list(
            ScreeningTerm.objects.filter(enabled=True).values_list(
                "id", "kind", "term", "suggestion", "severity", "note"
            )
        )
        titles = list(OfficialTitle.objects.values_list("person", "title"))
    result = [
        Entry(term, kind, suggestion, severity or DEFAULT_SEVERITY[kind], source, note, pk)
        for pk, kind, term, suggestion, severity, note in terms
    ]
    for term in {suggestion for _, _, _, suggestion, _, _ in terms if suggestion}:
        result.append(Entry(term, ALLOW, source=source))
    result += title_entries(titles, source)
    return result


def title_entries(rows: Iterable[tuple[str, str]], source: str) -> list[Entry]:
    held: dict[str, list[str]] = {}
    for person, title in rows:
        held.setdefault(person.strip(), []).append(title.strip())
    every_title = {title for titles in held.values() for title in titles}
    result = []
    for person, titles in held.items():
        right = titles[0] + person
        note = f"{person}的职务：{'、'.join(titles)}"
        for title in titles:
            result += [Entry(title + person, ALLOW), Entry(person + title, ALLOW)]
        for title in every_title.difference(titles):
            for words in (title + person, person + title):
                result.append(
                    Entry(words, Kind.TITLE_MISMATCH, right, Severity.SERIOUS, source, note)
                )
    return result


def matcher(schema: str, version: int, source: str) -> Matcher:
    key = (schema, version)
    with _lock:
        found = _compiled.get(key)
        if found is not None:
            _compiled.move_to_end(key)
            return found
    compiled = Matcher(entries(schema, source))
    with _lock:
        for stale in [k for k in _compiled if k[0] == schema]:
            del _compiled[stale]
        _compiled[key] = compiled
        while len(_compiled) > COMPILED_LIMIT:
            _compiled.popitem(last=False)
    log.info(
        "compiled the %s dictionary of %s (v%s): %s entries", source, schema, version, compiled.size
    )
    return compiled


def matchers(schema: str | None = None) -> list[Matcher]:
    """The compiled dictionaries that apply in `schema` (default: the current one)."""
    schema = schema or connection.schema_name
    public = get_public_schema_name()
    platform_version, site_version = versions(schema)
    found = [matcher(public, platform_version, PLATFORM)]
    if schema != public:
        found.append(matcher(schema, site_version, SITE))
    return [m for m in found if m]


def dictionary_changed(sender=None, **kwargs):
    """A term or title row changed in the current schema: its version moves on."""
    if kwargs.get("raw"):
        return
    bump()


def bump() -> None:
    """A new version token: random, not a counter, so a change rolled back (its matcher maybe
    compiled inside the transaction) is never mistaken for a later one with the same number."""
    token = secrets.randbits(62)
    if not DictionaryVersion.objects.filter(id=1).update(version=token):
        DictionaryVersion.objects.update_or_create(id=1, defaults={"version": token})


# --- checking ----------------------------------------------------------------------------


def check_fields(
    fields: Iterable[tuple[str, str, str]], *, schema: str | None = None, compiled=None
) -> list[Finding]:
    """Findings in each (key, label, text), in order of field then position."""
    fields = list(fields)
    compiled = matchers(schema) if compiled is None else compiled
    if not compiled:
        return []
    findings = []
    for key, label, text in fields:
        if not text:
            continue
        for m in compiled:
            for hit in m.find(text):
                entry = hit.entry
                findings.append(
                    Finding(
                        field=key,
                        field_label=label,
                        start=hit.start,
                        end=hit.end,
                        text=text[hit.start : hit.end],
                        kind=entry.kind,
                        term=entry.term,
                        suggestion=entry.suggestion,
                        severity=entry.severity,
                        source=entry.source,
                        note=entry.note,
                        before=text[max(0, hit.start - CONTEXT_CHARS) : hit.start],
                        after=text[hit.end : hit.end + CONTEXT_CHARS],
                    )
                )
    order = {key: i for i, (key, _, _) in enumerate(fields)}
    findings.sort(key=lambda f: (order.get(f.field, 0), f.start, -f.end))
    return findings


def check_text(
    text: str, *, field: str = "text", label: str = "内容", schema=None
) -> list[Finding]:
    return check_fields([(field, label, text)], schema=schema)
