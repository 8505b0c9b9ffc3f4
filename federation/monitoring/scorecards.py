"""Computing and storing scorecards (O4): one per site and day, recomputable at any time.

The score follows the national inspections: 100 points less the deductions (never below 0);
any veto finding (单项否决) fails the site whatever its score. Each indicator runs in the site's
schema; one that raises is recorded on the card as not computed, and the others still run.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Website

from . import indicators
from .models import Finding, Scorecard

log = logging.getLogger("jiyue.monitoring")
FULL_MARKS = Decimal(100)
TENTH = Decimal("0.1")


def evaluate(website, day, values=None) -> tuple[list[tuple[object, indicators.Found]], dict]:
    """Every registered indicator's findings for `website` on `day` (in its schema)."""
    values = values if values is not None else indicators.current_values()
    site = indicators.SiteContext(website=website, day=day, values=values)
    found, errors = [], {}
    with schema_context(website.schema_name):
        for indicator in indicators.registered():
            if not getattr(indicator, "applies_to", lambda _: True)(website):
                continue
            try:
                with transaction.atomic():
                    results = indicator.compute(site) or []
                found += [(indicator, indicators.as_found(item)) for item in results]
            except Exception as exc:  # one broken indicator must not stop the card
                log.exception("indicator %s failed for %s", indicator.code, website.schema_name)
                errors[indicator.code] = f"{type(exc).__name__}: {exc}"[:300]
    return found, errors


def compute_scorecard(website, day=None, values=None) -> Scorecard:
    """Compute and store `website`'s card for `day` (today by default), replacing any."""
    day = day or timezone.localdate()
    found, errors = evaluate(website, day, values)
    deductions = sum((f.points for _, f in found if f.severity == indicators.DEDUCTION), Decimal(0))
    vetoes = sum(1 for _, f in found if f.severity == indicators.VETO)
    warnings = sum(1 for _, f in found if f.severity == indicators.WARNING)
    with schema_context("public"), transaction.atomic():
        card, _ = Scorecard.objects.update_or_create(
            website=website,
            day=day,
            defaults=dict(
                score=max(FULL_MARKS - deductions, Decimal(0)).quantize(TENTH),
                deductions=deductions.quantize(TENTH),
                veto_count=vetoes,
                warning_count=warnings,
                computed_at=timezone.now(),
                errors=errors,
            ),
        )
        card.findings.all().delete()
        Finding.objects.bulk_create(
            Finding(
                scorecard=card,
                indicator=indicator.code,
                indicator_label=indicator.label,
                severity=f.severity,
                points=f.points,
                title=f.title[:300],
                detail=f.detail,
                fix=f.fix[:300],
                admin_path=f.admin_path[:300],
            )
            for indicator, f in found
        )
    return card


def evaluated_sites():
    """Sites the evaluation covers: every site that is not archived."""
    return Website.objects.sites().exclude(status=Website.Status.ARCHIVED).order_by("pk")


def compute_all(day=None) -> int:
    """Every site's card in this process (the sweep command, the demo, the benchmark)."""
    values = indicators.current_values()
    done = 0
    for website in evaluated_sites():
        try:
            compute_scorecard(website, day, values)
            done += 1
        except Exception:
            log.exception("scorecard failed for %s", website.schema_name)
    return done


def latest_card(website) -> Scorecard | None:
    return Scorecard.objects.filter(website=website).order_by("-day").first()
