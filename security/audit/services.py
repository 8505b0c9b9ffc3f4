"""Recording, verifying, exporting and purging the audit trail.

Each site's events form a chain: every row carries the HMAC of its content and of the row
before it. Changing, inserting or removing a row in SQL breaks the chain at that row, and
without the key (kept out of the database) the chain cannot be recomputed to hide it.
"""

import contextvars
import csv
import datetime
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from .context import client_ip, command_actor, current_request
from .events import label
from .models import AuditEvent

log = logging.getLogger("jiyue.audit")

# pg_advisory_xact_lock(namespace, hashtext(schema)): one writer per chain at a time.
_LOCK_NAMESPACE = 4_2024
MIN_RETENTION_DAYS = 184
HASHED_FIELDS = (
    "schema_name",
    "seq",
    "created_at",
    "event_type",
    "site_name",
    "realm",
    "actor",
    "actor_id",
    "ip",
    "user_agent",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "message",
)


def now():
    """The clock records are stamped with (tests move it to make old records)."""
    return timezone.now()


def _key() -> bytes:
    return (settings.AUDIT_HMAC_KEY or settings.SECRET_KEY).encode()


def _canonical(values: dict) -> str:
    payload = {}
    for name in HASHED_FIELDS:
        value = values[name]
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(prev_hash: str, values: dict) -> str:
    message = (prev_hash + "\n" + _canonical(values)).encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _jsonable(changes) -> dict:
    # Round-trip through JSON so what is hashed is exactly what jsonb gives back, without
    # NUL, which neither text nor jsonb columns accept (and attackers do send).
    return _without_nul(json.loads(json.dumps(changes or {}, default=str, ensure_ascii=False)))


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def clean_text(value, limit: int) -> str:
    return str(value or "").replace("\x00", "")[:limit]


def _site_name(schema_name: str) -> str:
    website = get_tenant_model().objects.for_schema(schema_name)
    return website.legal_name if website is not None else ""


def record(
    event_type: str,
    *,
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    changes=None,
    message: str = "",
    schema_name: str | None = None,
    user=None,
    actor: str | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the trail of `schema_name` (default: the current schema).

    Who and where come from the current request (audit middleware) unless given; outside a
    request the actor is the command-line user set with `acting_as`, or "system".
    """
    schema = schema_name or connection.schema_name
    request = request or current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if actor is None:
        actor = user.get_username() if user is not None else (command_actor() or "system")
    if request is not None:
        realm = (
            AuditEvent.Realm.CONSOLE
            if connection.schema_name == "public"
            else AuditEvent.Realm.SITE
        )
    else:
        realm = AuditEvent.Realm.SYSTEM
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    values = {
        "schema_name": schema,
        "created_at": now(),
        "event_type": clean_text(event_type, 64),
        "site_name": clean_text(_site_name(schema), 100),
        "realm": realm,
        "actor": clean_text(actor, 150),
        "actor_id": getattr(user, "pk", None),
        "ip": client_ip(request) if request is not None else None,
        "user_agent": clean_text(
            request.META.get("HTTP_USER_AGENT", "") if request is not None else "", 300
        ),
        "object_type": clean_text(object_type, 100),
        "object_id": clean_text(object_id, 64),
        "object_repr": clean_text(object_repr, 255),
        "changes": _jsonable(changes),
        "message": clean_text(message, 500),
    }
    pending = _pending.get()
    if pending is not None:  # in batched(): chained and written at its end
        pending.append(values)
        return AuditEvent(**values)
    return _append(schema, [values])[0]


def _append(schema: str, rows: list[dict]) -> list[AuditEvent]:
    """Chain `rows` (values without seq) onto `schema`'s trail, in order, in one write."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, schema]
            )
        last = (
            AuditEvent.objects.filter(schema_name=schema)
            .order_by("-seq")
            .values("seq", "hash")
            .first()
        )
        seq, prev_hash = (last["seq"], last["hash"]) if last else (0, "")
        events = []
        for values in rows:
            seq += 1
            values["seq"] = seq
            event = AuditEvent(prev_hash=prev_hash, hash=compute_hash(prev_hash, values), **values)
            events.append(event)
            prev_hash = event.hash
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.all()._append_chained(events)
    return events


_pending = contextvars.ContextVar("audit_pending", default=None)


@contextmanager
def batched():
    """Hold the events recorded in the block and write each trail's share at its end: one
    lock, one read of the chain's head and one insert a trail, instead of those three for
    every event (provisioning a site records ~70). The same events, in the same order, with
    the same chain; the block should run in a transaction (nothing is written if it fails).
    Nested blocks add to the outer one."""
    if _pending.get() is not None:
        yield
        return
    pending = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    by_schema = {}
    for values in pending:
        by_schema.setdefault(values["schema_name"], []).append(values)
    for schema, rows in by_schema.items():
        _append(schema, rows)


# --- verification -----------------------------------------------------------------------


@dataclass
class ChainReport:
    schema_name: str
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    head: str = ""
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _values(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def verify_chain(schema_name: str) -> ChainReport:
    report = ChainReport(schema_name)
    events = (
        AuditEvent.objects.filter(schema_name=schema_name).order_by("seq").iterator(chunk_size=2000)
    )
    prev = None
    anchors = {}
    for event in events:
        report.count += 1
        if (
            event.event_type == "console.audit_purge"
            and event.changes.get("schema_name") == schema_name
        ):
            anchors[event.changes.get("purged_through_seq")] = event.changes.get("anchor_hash")
        if prev is None:
            report.first_seq = event.seq
            if event.seq != 1:
                pending_anchor = (event.seq - 1, event.prev_hash)
            else:
                pending_anchor = None
                if event.prev_hash:
                    report.problems.append((event.seq, "first record points at a predecessor"))
        else:
            if event.seq != prev.seq + 1:
                report.problems.append(
                    (event.seq, f"records {prev.seq + 1}–{event.seq - 1} are missing")
                )
            if event.prev_hash != prev.hash:
                report.problems.append((event.seq, "link to the previous record is broken"))
        if compute_hash(event.prev_hash, _values(event)) != event.hash:
            report.problems.append((event.seq, "content does not match its hash (altered)"))
        prev = event
    if prev is not None:
        report.last_seq, report.head = prev.seq, prev.hash
        # A chain that starts after 1 must start where a recorded purge ended.
        if report.first_seq != 1 and anchors.get(pending_anchor[0]) != pending_anchor[1]:
            report.problems.append(
                (report.first_seq, "records before this one were removed without a purge")
            )
    return report


def chains() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("schema_name", flat=True).distinct())


def verify_all(schema_names: Iterable[str] | None = None) -> list[ChainReport]:
    return [verify_chain(name) for name in sorted(schema_names or chains())]


VERIFIED = "audit.verified"


def verify_and_record() -> list[ChainReport]:
    """The scheduled check (daily, `audit-verify-chains`): every chain verified, the outcome
    appended to the console's own chain, where the console's audit page shows the latest, and
    any tampering logged as critical for the operators' alerting. Recorded in the trail
    itself, a check that stopped running or a result removed is visible too."""
    reports = verify_all()
    broken = {
        r.schema_name: [f"seq {seq}: {problem}" for seq, problem in r.problems[:20]]
        for r in reports
        if not r.ok
    }
    record(
        VERIFIED,
        schema_name="public",
        actor="system",
        changes={
            "chains": len(reports),
            "records": sum(r.count for r in reports),
            "broken": broken,
        },
        message="发现篡改，请按应急预案保全证据" if broken else "全部哈希链完整",
    )
    if broken:
        log.critical(
            "audit trail tampering detected in %s; preserve the database as evidence "
            "(docs/operations/emergency.md)",
            ", ".join(sorted(broken)),
        )
    return reports


def latest_verification() -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(schema_name="public", event_type=VERIFIED)
        .order_by("-seq")
        .first()
    )


# --- retention --------------------------------------------------------------------------


class RetentionError(Exception):
    """Purging refused: the records are younger than the legal minimum."""


def purge(older_than_days: int) -> dict[str, int]:
    """Remove records older than `older_than_days` (≥ 184), chain by chain, leaving an anchor."""
    minimum = max(MIN_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)
    if older_than_days < minimum:
        raise RetentionError(
            f"审计记录至少保存 {minimum} 天，拒绝清理 {older_than_days} 天内的记录"
            f" (records must be kept at least {minimum} days)."
        )
    cutoff = now() - datetime.timedelta(days=older_than_days)
    removed = {}
    for schema in chains():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, schema]
                )
            first_young = (
                AuditEvent.objects.filter(schema_name=schema, created_at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            old = AuditEvent.objects.filter(schema_name=schema, created_at__lt=cutoff)
            if first_young is not None:
                old = old.filter(seq__lt=first_young)
            last = old.order_by("-seq").values("seq", "hash").first()
            if last is None:
                continue
            with connection.cursor() as cursor:
                # The table's trigger lets a delete through only with this flag and only
                # for rows past the legal minimum (see the 0001 migration).
                cursor.execute("SET LOCAL jiyue.audit_purge = 'on'")
                cursor.execute(
                    "DELETE FROM audit_auditevent WHERE schema_name = %s AND seq <= %s",
                    [schema, last["seq"]],
                )
                count = cursor.rowcount
                cursor.execute("SET LOCAL jiyue.audit_purge = 'off'")
        record(
            "console.audit_purge",
            schema_name=schema,
            changes={
                "schema_name": schema,
                "purged_through_seq": last["seq"],
                "anchor_hash": last["hash"],
                "removed": count,
                "cutoff": cutoff.isoformat(),
            },
        )
        removed[schema] = count
    return removed


# --- export -----------------------------------------------------------------------------

CSV_HEADER = [
    "时间",
    "网站",
    "模式名",
    "事件",
    "事件代码",
    "操作人",
    "来源",
    "IP地址",
    "对象类型",
    "对象ID",
    "对象",
    "变更内容",
    "说明",
    "序号",
    "哈希",
]


def write_csv(events, out) -> int:
    """Write events as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    count = 0
    for e in events.iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                e.site_name,
                e.schema_name,
                label(e.event_type),
                e.event_type,
                e.actor,
                e.get_realm_display(),
                e.ip or "",
                e.object_type,
                e.object_id,
                _cell(e.object_repr),
                _cell(json.dumps(e.changes, ensure_ascii=False)),
                _cell(e.message),
                e.seq,
                e.hash,
            ]
        )
        count += 1
    return count


def _cell(value: str) -> str:
    # CSV injection: a cell starting with = + - @ runs as a formula in spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
