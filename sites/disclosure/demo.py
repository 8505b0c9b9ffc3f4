"""Demo government information (issue 3, item 6): the disclosure page types of the demo city's
data files (tenants/demo/every_site.yaml, tenants/demo/README.md).

Every type takes the keys all disclosure items share (title, date, source, summary,
paragraphs, genre, topic_category by name, department by its place in the `departments`
section, scope, date_written) and its own. Each item gets the next 索引号 of its site, as a
save would give it. How a builder is called: sites/core/demo.py.
"""

from decimal import Decimal, InvalidOperation

from sites.core.demo import ARTICLE_KEYS, DemoPageType, paragraphs
from sites.core.models import ArticlePage

from .models import (
    Department,
    DisclosureArticlePage,
    DisclosureItem,
    EmergencyInformationPage,
    LeaderProfilePage,
    OrganisationPage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    StatisticsReleasePage,
    TopicCategory,
    TopicItem,
    TopicPage,
)
from .services import allocate_index_number

ITEM_KEYS = ARTICLE_KEYS | {"genre", "topic_category", "department", "scope", "date_written"}


def _choice(entry, key, choices, default=""):
    value = entry.get(key, default)
    if value not in choices.values:
        raise ValueError(
            f"{key} “{value}” is not one of: {', '.join(v for v in choices.values if v)}"
        )
    return value


def _category(ctx, name) -> TopicCategory:
    categories = ctx.cache.get("topic_categories")
    if categories is None:
        categories = ctx.cache["topic_categories"] = {
            c.name: c for c in TopicCategory.objects.all()
        }
    if name not in categories:
        raise ValueError(
            f"topic_category “{name}” is not a topic category (主题分类) of the site: "
            f"use one of {'、'.join(categories)}"
        )
    return categories[name]


def _department(ctx, position) -> Department:
    """The site's departments are made once, in the order of the `departments` section (by
    kind of site: `department`, else `other`); `department: 2` is the second."""
    departments = ctx.cache.get("departments")
    if departments is None:
        names = ctx.section("departments") or {}
        names = names.get(ctx.website.kind) or names.get("other") or []
        departments = ctx.cache["departments"] = [
            Department.objects.get_or_create(name=name[:60], defaults={"sort_order": n})[0]
            for n, name in enumerate(names, start=1)
        ]
    if not isinstance(position, int) or not 1 <= position <= len(departments):
        raise ValueError(
            f"department {position!r} is not a position in the departments list "
            f"(1 to {len(departments)}; the list is in every_site.yaml)"
        )
    return departments[position - 1]


def _item(cls, entry, ctx, **fields) -> DisclosureItem:
    """A disclosure item of type `cls`: the shared catalogue fields, then the type's own."""
    fields.setdefault("body", paragraphs(entry.get("paragraphs")))
    return cls(
        title=entry["title"],
        date=ctx.date(entry["date"]),
        source=entry.get("source", ""),
        summary=entry.get("summary", ""),
        genre=_choice(entry, "genre", DisclosureItem.Genre, DisclosureItem.Genre.NOTICE),
        topic_category=_category(ctx, entry["topic_category"]),
        department=_department(ctx, entry["department"]),
        scope=_choice(entry, "scope", DisclosureItem.Scope, DisclosureItem.Scope.PROACTIVE),
        date_written=ctx.date(entry["date_written"]) if entry.get("date_written") else None,
        index_number=allocate_index_number(),
        **fields,
    )


def document(entry, ctx) -> PolicyDocumentPage:
    written = ctx.date(entry["date_written"])
    entry = ctx.fill(entry, year=written.year)
    newer = None
    if entry.get("superseded_by"):
        newer = ctx.page(entry["superseded_by"])
        if not isinstance(newer, PolicyDocumentPage):
            raise ValueError(
                f"superseded_by “{entry['superseded_by']}” is not a document "
                "(type: document) of this site"
            )
    validity = _choice(entry, "validity", DisclosureItem.Validity, DisclosureItem.Validity.IN_FORCE)
    changed_on = entry.get("validity_changed_on")
    return _item(
        PolicyDocumentPage,
        entry,
        ctx,
        document_kind=_choice(
            entry,
            "document_kind",
            PolicyDocumentPage.DocumentKind,
            PolicyDocumentPage.DocumentKind.NORMATIVE,
        ),
        document_number=entry.get("document_number", ""),
        issuing_body=entry.get("issuing_body") or ctx.website.legal_name,
        validity=validity,
        superseded_by_id=newer.pk if newer else None,
        validity_changed_on=ctx.date(changed_on) if changed_on else (newer.date if newer else None),
    )


def interpretation(entry, ctx) -> PolicyInterpretationPage:
    target = ctx.page(entry["interprets"])
    if not isinstance(target, PolicyDocumentPage):
        raise ValueError(
            f"interprets “{entry['interprets']}”: not a document (type: document) "
            "of this site; list the document before its interpretation"
        )
    entry = ctx.fill(entry, document=target.title)
    return _item(
        PolicyInterpretationPage,
        entry,
        ctx,
        interpreted_document_id=target.pk,
        interpreter=entry.get("interpreter", ""),
    )


def disclosure_article(entry, ctx) -> DisclosureArticlePage:
    return _item(DisclosureArticlePage, entry, ctx)


def _dataset(data) -> dict:
    rows = []
    for row in data["rows"]:
        label, value = row
        try:
            rows.append({"label": str(label), "value": Decimal(str(value))})
        except InvalidOperation:
            raise ValueError(f"statistics row {row!r}: the value must be a number") from None
    return {
        "caption": data["caption"],
        "unit": data.get("unit", ""),
        "source_note": data.get("source_note", ""),
        "rows": rows,
    }


def statistics(entry, ctx) -> StatisticsReleasePage:
    return _item(
        StatisticsReleasePage,
        entry,
        ctx,
        period=entry.get("period", ""),
        datasets=[("dataset", _dataset(d)) for d in entry["datasets"]],
    )


def leader(entry, ctx) -> LeaderProfilePage:
    return _item(
        LeaderProfilePage,
        entry,
        ctx,
        person_name=entry["person_name"],
        position=entry["position"],
        responsibilities=entry.get("responsibilities", ""),
    )


def organisation(entry, ctx) -> OrganisationPage:
    return _item(
        OrganisationPage,
        entry,
        ctx,
        functions=paragraphs(entry["functions"])[0][1],
        internal_units="\n".join(entry.get("internal_units", [])),
        address=entry.get("address", ""),
        phone=entry.get("phone", ""),
        office_hours=entry.get("office_hours", ""),
    )


def emergency(entry, ctx) -> EmergencyInformationPage:
    return _item(
        EmergencyInformationPage,
        entry,
        ctx,
        level=_choice(entry, "level", EmergencyInformationPage.Level),
        event_kind=_choice(entry, "event_kind", EmergencyInformationPage.EventKind),
        status=_choice(
            entry,
            "status",
            EmergencyInformationPage.Status,
            EmergencyInformationPage.Status.ONGOING,
        ),
        occurred_at=ctx.datetime(entry["occurred_at"]),
        public_guidance=entry.get("public_guidance", ""),
    )


def topic(entry, ctx) -> TopicPage:
    page = TopicPage(title=entry["title"], intro=entry.get("intro", ""))
    chosen = []
    for slug in entry.get("items", []):
        item = ctx.page(slug)
        if not isinstance(item, ArticlePage):  # every disclosure item is an article too
            raise ValueError(f"items: “{slug}” is not an article or a disclosure item of this site")
        chosen.append(TopicItem(page_id=item.pk, sort_order=len(chosen)))
    page.items = chosen
    return page


PAGE_TYPES = {
    "document": DemoPageType(
        ITEM_KEYS
        | {
            "document_kind",
            "document_number",
            "issuing_body",
            "validity",
            "superseded_by",
            "validity_changed_on",
        },
        document,
    ),
    "interpretation": DemoPageType(ITEM_KEYS | {"interprets", "interpreter"}, interpretation),
    "disclosure_article": DemoPageType(ITEM_KEYS, disclosure_article),
    "statistics": DemoPageType(ITEM_KEYS | {"period", "datasets"}, statistics),
    "leader": DemoPageType(ITEM_KEYS | {"person_name", "position", "responsibilities"}, leader),
    "organisation": DemoPageType(
        ITEM_KEYS | {"functions", "internal_units", "address", "phone", "office_hours"},
        organisation,
    ),
    "emergency": DemoPageType(
        ITEM_KEYS | {"level", "event_kind", "status", "occurred_at", "public_guidance"}, emergency
    ),
    "topic": DemoPageType(frozenset({"title", "intro", "items"}), topic),
}
