"""Importing a feed: fetch over HTTP, parse (JSON, CSV, RSS), check every item, then replace
the source's records in one transaction — or, when anything is wrong (unreachable, not
parseable, an item missing what its kind needs, a truncated file), keep the last good data,
record the error and tell the webmasters (dashboard and mail, once per failure run).

Item fields by kind (JSON keys, CSV columns; RSS gives title, description, link, pubDate,
guid and category):
  knowledge  title, body[, link, published_at, id]
  weather    date, weather, low, high[, wind, area]
  price      product, date, price, unit[, market, category]
  warning    title, level (红色/橙色/黄色/蓝色 or red/orange/yellow/blue)[, area, body, published_at, id]
"""

import csv
import datetime
import io
import json
import logging
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags

from security.roles import WEBMASTER

from .models import FeedRecord, FeedSource

log = logging.getLogger(__name__)
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 10
MAX_ITEMS = 5000
LEVELS = {"红色": "red", "橙色": "orange", "黄色": "yellow", "蓝色": "blue"}
LEVEL_WORDS = {v: k for k, v in LEVELS.items()}


class FeedError(Exception):
    """What went wrong, in words for the webmaster."""


def fetch(url: str) -> bytes:
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError("地址须以 http:// 或 https:// 开头。")
    request = urllib.request.Request(url, headers={"User-Agent": "jiyue-feeds/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FeedError(f"数据源返回 HTTP {error.code}。") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedError(f"无法连接数据源（{getattr(error, 'reason', error)}）。") from error
    if len(data) > MAX_BYTES:
        raise FeedError("数据超过 2 MB，未导入。")
    return data


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedError("无法识别数据的文字编码。")


def parse(data: bytes, fmt: str) -> list[dict]:
    text = _text(data)
    if fmt == FeedSource.Format.JSON:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise FeedError(f"JSON 格式错误（第 {error.lineno} 行），可能数据不完整。") from error
        items = loaded.get("items") if isinstance(loaded, dict) else loaded
        if not isinstance(items, list):
            raise FeedError("JSON 中没有 items 列表。")
        if isinstance(loaded, dict) and "count" in loaded and loaded["count"] != len(items):
            raise FeedError(f"数据不完整：应有 {loaded['count']} 条，只收到 {len(items)} 条。")
        return items
    if fmt == FeedSource.Format.CSV:
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise FeedError("CSV 是空的。")
        header = [h.strip() for h in rows[0]]
        items = []
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise FeedError(f"CSV 第 {number} 行列数不对，可能数据不完整。")
            items.append(dict(zip(header, (c.strip() for c in row), strict=True)))
        return items
    if fmt == FeedSource.Format.RSS:
        return _rss(data)
    raise FeedError(f"不支持的格式：{fmt}")


def _rss(data: bytes) -> list[dict]:
    from lxml import etree

    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        raise FeedError("RSS 格式错误，可能数据不完整。") from error
    items = []
    for node in root.iter("item"):

        def value(tag, node=node):
            found = node.find(tag)
            return (found.text or "").strip() if found is not None else ""

        items.append(
            {
                "id": value("guid") or value("link"),
                "title": value("title"),
                "body": strip_tags(value("description")),
                "link": value("link"),
                "published_at": value("pubDate"),
                "level": value("category"),
            }
        )
    if root.find("channel") is None:
        raise FeedError("不是 RSS 文档（没有 channel）。")
    return items


def _when(value) -> datetime.datetime | None:
    if not value:
        return None
    value = str(value)
    moment = parse_datetime(value)
    if moment is None:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    if moment is None:
        raise ValueError(f"时间“{value}”无法识别")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _number(value, name) -> str:
    try:
        return str(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"{name}“{value}”不是数字") from error


def normalise(kind: str, item: dict, number: int) -> FeedRecord:
    """One item as a record, or ValueError saying what is missing."""
    if not isinstance(item, dict):
        raise ValueError("不是一条记录")

    def need(*names):
        missing = [n for n in names if not str(item.get(n, "")).strip()]
        if missing:
            raise ValueError(f"缺少 {'、'.join(missing)}")

    if kind == FeedSource.Kind.KNOWLEDGE:
        need("title", "body")
        return FeedRecord(
            key=str(item.get("id") or item["title"])[:200],
            title=str(item["title"])[:255],
            body=str(item["body"])[:20000],
            link=str(item.get("link", ""))[:500],
            published_at=_when(item.get("published_at")),
        )
    if kind == FeedSource.Kind.WEATHER:
        need("date", "weather", "low", "high")
        day = _when(item["date"])
        data = {
            "date": day.date().isoformat(),
            "weather": str(item["weather"])[:50],
            "low": _number(item["low"], "最低气温"),
            "high": _number(item["high"], "最高气温"),
            "wind": str(item.get("wind", ""))[:50],
            "area": str(item.get("area", ""))[:50],
        }
        return FeedRecord(
            key=f"{data['area']}:{data['date']}", title=data["weather"], published_at=day, data=data
        )
    if kind == FeedSource.Kind.PRICE:
        need("product", "date", "price", "unit")
        day = _when(item["date"])
        data = {
            "product": str(item["product"])[:50],
            "date": day.date().isoformat(),
            "price": _number(item["price"], "价格"),
            "unit": str(item["unit"])[:20],
            "market": str(item.get("market", ""))[:50],
            "category": str(item.get("category", "农产品"))[:20],
        }
        return FeedRecord(
            key=f"{data['product']}:{data['market']}:{data['date']}"[:200],
            title=data["product"],
            published_at=day,
            data=data,
        )
    if kind == FeedSource.Kind.WARNING:
        need("title", "level")
        level = str(item["level"]).strip()
        level = LEVELS.get(level.removesuffix("预警"), level.lower())
        if level not in LEVEL_WORDS:
            raise ValueError(f"预警级别“{item['level']}”应为红色、橙色、黄色或蓝色")
        return FeedRecord(
            key=str(item.get("id") or item["title"])[:200],
            title=str(item["title"])[:255],
            body=str(item.get("body", ""))[:5000],
            link=str(item.get("link", ""))[:500],
            published_at=_when(item.get("published_at")) or timezone.now(),
            data={"level": level, "area": str(item.get("area", ""))[:100]},
        )
    raise ValueError(f"未知内容类型 {kind}")


def import_source(source: FeedSource, now=None, data: bytes | None = None) -> int:
    """Import one source (from `data` if given, else fetched from its URL); returns the number
    of records. Raises nothing: a failure is recorded on the source (and announced) and the
    last good records stay."""
    now = now or timezone.now()
    try:
        items = parse(fetch(source.url) if data is None else data, source.format)
        if not items:
            raise FeedError("数据源没有任何记录，保留上次的数据。")
        if len(items) > MAX_ITEMS:
            raise FeedError(f"记录超过 {MAX_ITEMS} 条，未导入。")
        records, errors = [], []
        for number, item in enumerate(items, start=1):
            try:
                records.append(normalise(source.kind, item, number))
            except ValueError as error:
                errors.append(f"第 {number} 条{error}")
        if errors:
            raise FeedError("数据不完整或格式不对：" + "；".join(errors[:5]))
    except FeedError as error:
        _failed(source, str(error), now)
        return 0
    with transaction.atomic():
        seen = set(source.records.values_list("key", flat=True))
        unique = {r.key: r for r in records}
        source.records.all().delete()
        for record in unique.values():
            record.source = source
        FeedRecord.objects.bulk_create(unique.values())
        source.last_attempt_at = source.last_success_at = now
        source.last_error = ""
        source.last_count = len(unique)
        source.save(
            update_fields=["last_attempt_at", "last_success_at", "last_error", "last_count"]
        )
    if source.kind == FeedSource.Kind.WARNING and source.warning_drafts:
        from .warnings import draft_emergency_items

        transaction.on_commit(
            lambda: draft_emergency_items([r for k, r in unique.items() if k not in seen])
        )
    return len(unique)


def _failed(source: FeedSource, message: str, now) -> None:
    first = not source.last_error
    source.last_attempt_at = now
    source.last_error = message[:2000]
    source.save(update_fields=["last_attempt_at", "last_error"])
    log.warning("feed %s (%s) failed: %s", source.pk, source.name, message)
    if first:
        _mail_webmasters(source, message)


def _mail_webmasters(source: FeedSource, message: str) -> None:
    users = get_user_model().objects.filter(groups__name=WEBMASTER, is_active=True)
    emails = sorted({u.email for u in users if u.email})
    if not emails:
        return
    kept = (
        f"频道上继续显示 {timezone.localtime(source.last_success_at):%Y-%m-%d %H:%M} 导入的数据。"
        if source.last_success_at
        else "频道上暂无该类数据。"
    )
    send_mail(
        f"农业信息数据源“{source.name}”导入失败",
        f"数据源：{source.name}（{source.get_kind_display()}）\n地址：{source.url}\n"
        f"原因：{message}\n{kept}\n恢复正常后会自动更新；如数据源地址已变更，请在后台“农业信息数据源”中修改。",
        None,
        emails,
        fail_silently=True,
    )


def import_due(now=None) -> dict[str, int]:
    """Every enabled source of the current site whose interval has passed."""
    now = now or timezone.now()
    done = {}
    for source in FeedSource.objects.filter(enabled=True):
        if source.is_due(now):
            done[source.name] = import_source(source, now)
    return done
