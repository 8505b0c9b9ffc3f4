"""Probes (T2): every active site's home page and entry points, through the real HTTP stack.

A round requests every entry point of every site at once (asyncio, one thread), each with the
timeout the evaluation sets (15 s by default) for the whole exchange, against the server the
platform runs (MONITORING_BASE_URL, with the site's domain in the Host header; unset: the site's
public address). A site whose home page hangs costs one slot of MONITORING_PROBE_CONCURRENCY
for the timeout and its other entry points are skipped that round; the other sites go on.

Each result records status, time and a fingerprint of the page's main content (<main>: text
and link targets, so a nonce or a CSRF token does not change it). A home page whose fingerprint
changes with no explanation — no page published, unpublished, moved or deleted on the site
(syndicated copies and push-downs are published pages too) and no broadcast starting, ending or
withdrawn since the previous probe — raises a defacement alert (Z1): shown on both dashboards and handed to every
callable in MONITORING_ALERT_RECEIVERS (the emergency plan's intake, tenants.incidents). A home
page that fails `availability.outage_probes` probes in a row is an outage, handed over the same
way once per outage. The receivers notify the responsible people; with none registered,
monitoring mails them (and the municipal office) itself.
"""

import asyncio
import datetime
import hashlib
import logging
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context
from wagtail.models import PageLogEntry

from federation.library.links import absolute_url
from tenants.models import Website

from . import alerts, http, indicators, notify
from .models import DefacementAlert, ProbeResult

log = logging.getLogger("jiyue.monitoring")
HOME = "/"
EXPLAIN_MARGIN = datetime.timedelta(minutes=2)  # clocks and the page cache's purge lag


class _MainText(HTMLParser):
    """Text and link targets inside <main> (the whole body when a page has no <main>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.seen_main = False
        self.main, self.everything = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
            self.seen_main = True
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag == "main" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self._add(text)

    def _add(self, text):
        self.everything.append(text)
        if self.depth:
            self.main.append(text)


def main_content(body: bytes) -> str:
    parser = _MainText()
    try:
        parser.feed(body.decode("utf-8", "replace"))
    except Exception:  # malformed markup: fall back to everything that was read
        log.debug("could not parse a probed page", exc_info=True)
    return "\n".join(parser.main if parser.seen_main else parser.everything)


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(main_content(body).encode()).hexdigest()


def entry_points() -> list[tuple[str, str]]:
    return [tuple(e) for e in settings.PROBE_ENTRY_POINTS]


def probed_sites():
    """Sites that should answer: active ones (a suspended site shows a notice on purpose)."""
    return Website.objects.sites().filter(status=Website.Status.ACTIVE).order_by("pk")


async def _probe_site(website_id, origin_url, entries, timeout, slots):
    """[(name, path, Response | None)] for one site: home first; the rest only if it answered."""
    base = settings.MONITORING_BASE_URL
    async with slots:
        home_name, home_path = entries[0]
        started = timezone.now()
        home = await http.fetch(origin_url + home_path, timeout=timeout, connect_to=base)
        results = [(home_name, home_path, started, home)]
        if home.status is None and home.error.startswith("超时"):
            return website_id, results
        started = timezone.now()
        others = await asyncio.gather(
            *(
                http.fetch(origin_url + path, timeout=timeout, connect_to=base, max_body=0)
                for _, path in entries[1:]
            )
        )
        results += [
            (name, path, started, response)
            for (name, path), response in zip(entries[1:], others, strict=True)
        ]
        return website_id, results


async def _round(targets, entries, timeout, concurrency):
    slots = asyncio.Semaphore(concurrency)
    return await asyncio.gather(
        *(_probe_site(pk, origin, entries, timeout, slots) for pk, origin in targets)
    )


def probe_round(websites=None) -> list[ProbeResult]:
    """One round over `websites` (default: every active site); stores and returns the rows."""
    websites = list(probed_sites() if websites is None else websites)
    if not websites:
        return []
    values = indicators.current_values()
    timeout = float(values.get("availability.timeout_seconds", 15))
    entries = entry_points()
    origins = [(w.pk, absolute_url(w, "").rstrip("/")) for w in websites]
    outcome = http.run(_round(origins, entries, timeout, settings.MONITORING_PROBE_CONCURRENCY))
    by_id = {w.pk: w for w in websites}
    rows = []
    excerpts = {}
    for website_id, results in outcome:
        for name, path, started, response in results:
            is_home = path == HOME
            if is_home and response.ok:
                excerpts[website_id] = main_content(response.body)[:500]
            absent = not is_home and response.status == 404
            rows.append(
                ProbeResult(
                    website_id=website_id,
                    entry=name,
                    path=path,
                    started_at=started,
                    status=response.status,
                    elapsed_ms=response.elapsed_ms,
                    ok=response.ok,
                    absent=absent,
                    error=response.error
                    or ("" if response.ok or absent else f"HTTP {response.status}"),
                    fingerprint=fingerprint(response.body) if is_home and response.ok else "",
                )
            )
    previous = _previous_home_fingerprints(by_id, rows)
    ProbeResult.objects.bulk_create(rows)
    check_outages(by_id, rows)
    for row in rows:
        if row.path == HOME and row.fingerprint and row.website_id in previous:
            before = previous[row.website_id]
            if before.fingerprint != row.fingerprint:
                check_change(by_id[row.website_id], before, row, excerpts.get(row.website_id, ""))
    return rows


def _previous_home_fingerprints(by_id, rows) -> dict:
    found = {}
    probed = {r.website_id for r in rows if r.path == HOME and r.fingerprint}
    recent = (
        ProbeResult.objects.filter(website_id__in=probed, path=HOME, ok=True)
        .exclude(fingerprint="")
        .order_by("website_id", "-started_at")
        .distinct("website_id")
    )
    for row in recent:
        found[row.website_id] = row
    return found


# --- Explaining a change ----------------------------------------------------------------------


def page_activity(website, since) -> bool:
    """A page published, unpublished, moved, deleted (or a copy delivered) on the site since."""
    with schema_context(website.schema_name):
        return PageLogEntry.objects.filter(timestamp__gte=since).exists()


def broadcast_activity(website, since) -> bool:
    """A city-wide broadcast posted, starting, ending or withdrawn since (if syndication runs)."""
    try:
        broadcast = apps.get_model("syndication", "Broadcast")
    except LookupError:
        return False
    now = timezone.now()
    return broadcast.objects.filter(
        Q(posted_at__gte=since)
        | Q(starts_at__gte=since, starts_at__lte=now)
        | Q(ends_at__gte=since, ends_at__lte=now)
        | Q(withdrawn_at__gte=since)
    ).exists()


def explained(website, since) -> bool:
    return any(
        import_string(path)(website, since) for path in settings.MONITORING_CHANGE_EXPLAINERS
    )


def check_change(website, before, now, excerpt: str = "") -> DefacementAlert | None:
    """The home page changed between two probes: an alert unless something explains it."""
    if explained(website, before.started_at - EXPLAIN_MARGIN):
        return None
    alert = DefacementAlert.objects.create(
        website=website,
        path=now.path,
        previous_fingerprint=before.fingerprint,
        fingerprint=now.fingerprint,
        excerpt=excerpt,
    )
    log.warning("home page of %s changed with no publish to explain it", website.schema_name)
    link = notify.admin_link(website, "/admin/monitoring/")
    subject = f"【疑似篡改】{website.legal_name}首页内容发生未知变更"
    body = (
        f"{timezone.localtime(alert.detected_at):%Y-%m-%d %H:%M} 的探测发现 {website.legal_name} 首页正文"
        f"与上次探测（{timezone.localtime(before.started_at):%H:%M}）不同，期间没有任何信息发布、撤下或广播。\n\n"
        "请立即打开首页核实：如确属篡改，按网站安全应急预案处置（必要时冻结网站）；"
        f"如为正常变更，请在监测页标记“正常变更”：\n{link}\n"
    )
    # With a receiver (the emergency plan's intake) the responsible people get its notice,
    # which carries this alert's evidence: one mail, not two. Without one, monitoring tells them.
    if not settings.MONITORING_ALERT_RECEIVERS:
        notify.mail_site(website, subject, body)
        if website.kind != Website.Kind.PORTAL:
            notify.mail_office(subject, body)
    alerts.dispatch(
        alerts.Alert(
            kind="defacement",
            website=website,
            detected_at=alert.detected_at,
            title="首页内容发生未知变更（疑似篡改）",
            detail=(
                f"{timezone.localtime(before.started_at):%Y-%m-%d %H:%M} 与 "
                f"{timezone.localtime(now.started_at):%H:%M} 两次探测之间首页正文改变，"
                f"期间没有任何信息发布、撤下或广播。变更后正文摘录：{excerpt[:300]}"
            ),
            reference=f"monitoring.defacement:{alert.pk}",
            admin_path="/admin/monitoring/#alerts",
        )
    )
    return alert


# --- Outages ----------------------------------------------------------------------------------


def check_outages(by_id, rows) -> list[alerts.Alert]:
    """Sites whose home page has now failed `availability.outage_probes` probes in a row (and
    answered the probe before them, or was never probed before): one outage alert per outage,
    however long it lasts, handed to the emergency plan's intake."""
    streak = max(1, int(indicators.current_values().get("availability.outage_probes", 2)))
    raised = []
    for row in rows:
        if row.path != HOME or row.ok:
            continue
        recent = list(
            ProbeResult.objects.filter(website_id=row.website_id, path=HOME)
            .order_by("-started_at", "-pk")
            .values("pk", "ok", "started_at", "status", "error")[: streak + 1]
        )
        failures = recent[:streak]
        if len(failures) < streak or any(r["ok"] for r in failures):
            continue
        if len(recent) > streak and not recent[streak]["ok"]:
            continue  # the outage was reported when it reached the streak
        first = failures[-1]
        website = by_id[row.website_id]
        alert = alerts.Alert(
            kind="outage",
            website=website,
            detected_at=row.started_at,
            title=f"网站首页连续 {streak} 次探测无法访问",
            detail=(
                f"自 {timezone.localtime(first['started_at']):%Y-%m-%d %H:%M} 起首页连续 {streak} "
                f"次探测失败，最近一次：{row.error or row.status}。"
            ),
            reference=f"monitoring.outage:{website.pk}:{first['pk']}",
            admin_path="/admin/monitoring/",
        )
        log.warning("home page of %s failed %d probes in a row", website.schema_name, streak)
        alerts.dispatch(alert)
        raised.append(alert)
    return raised
