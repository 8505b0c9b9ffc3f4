"""Thin periodic tasks. Fan-outs run in the public schema and send one task per site, which
runs in that site's schema (SiteTask fails loudly in the public one); a probe round is one task
over every site at once (concurrency inside it, see probes.py)."""

import datetime

from django.db import connection

from config.celery import SiteTask, app
from config.tasks import enqueue
from tenants.models import Website

from . import linkcheck, probes, scorecards, visits, warnings


def _site():
    return Website.objects.for_schema(connection.schema_name)


@app.task(name="monitoring.probe_round")
def probe_round():
    return len(probes.probe_round())


@app.task(name="monitoring.scorecards_all_sites")
def scorecards_all_sites():
    for website in scorecards.evaluated_sites():
        enqueue(scorecard_site, schema=website.schema_name)


@app.task(name="monitoring.scorecard_site", base=SiteTask)
def scorecard_site(day: str | None = None):
    website = _site()
    card = scorecards.compute_scorecard(website, datetime.date.fromisoformat(day) if day else None)
    warnings.send_warnings(website, card)
    return str(card.score)


@app.task(name="monitoring.link_check_all_sites")
def link_check_all_sites():
    for website in probes.probed_sites():
        enqueue(link_check_site, schema=website.schema_name)


@app.task(name="monitoring.link_check_site", base=SiteTask)
def link_check_site():
    return linkcheck.check_site(_site()).broken


@app.task(name="monitoring.flush_visits")
def flush_visits():
    return visits.flush()
