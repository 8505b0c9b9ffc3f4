"""Reading the trail on screen and as CSV: the site admin's page and the console's share these."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse

from . import services
from .events import EVENT_TYPES, MIRRORED_IN_SITE_CHAINS
from .models import AuditEvent

PAGE_SIZE = 50


def filtered_events(params, schema_name: str | None = None):
    """Events matching the filters a reader chose (site, event, actor, from/to dates), newest
    first. `schema_name` pins one site's chain: a site's admin never sees another's."""
    events = AuditEvent.objects.all()
    if schema_name is not None:
        events = events.filter(schema_name=schema_name)
    elif params.get("site"):
        events = events.filter(schema_name=params["site"])
    else:
        # Every chain at once: the console's own copy of what it did to a site, not the site's.
        events = events.exclude(~Q(schema_name="public"), event_type__in=MIRRORED_IN_SITE_CHAINS)
    if params.get("event"):
        events = events.filter(event_type=params["event"])
    if params.get("actor"):
        events = events.filter(actor__icontains=params["actor"][:150])
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        try:
            day = datetime.date.fromisoformat(params.get(name, ""))
        except ValueError:
            continue
        events = events.filter(**{lookup: day})
    return events.order_by("-created_at", "-id")


def page_context(request, events) -> dict:
    """One page of events with the filter form's state, for `security/_audit_table.html`."""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "event_types": sorted(EVENT_TYPES.items()),
        "filters": request.GET,
        "query": query.urlencode(),
    }


def csv_response(request, events, filename: str, chain: str) -> HttpResponse:
    """The events as CSV; the export itself is recorded in `chain`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    count = services.write_csv(events, response)
    services.record(
        "audit.export",
        schema_name=chain,
        changes={"rows": count, "filters": dict(request.GET.items())},
    )
    return response
