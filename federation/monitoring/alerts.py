"""What monitoring hands to the emergency plan (Z1): an alert per defacement and per outage,
given to every callable in MONITORING_ALERT_RECEIVERS (import strings: monitoring names no
receiver). A receiver that fails is logged; the others still hear of the alert."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("jiyue.monitoring")


@dataclass(frozen=True)
class Alert:
    kind: str  # "defacement" | "outage"
    website: object  # tenants.Website
    detected_at: datetime.datetime
    title: str
    detail: str
    # Unique per alert, stable across calls: a receiver opens one record per reference.
    reference: str
    admin_path: str = "/admin/monitoring/"


def dispatch(alert: Alert) -> None:
    for path in settings.MONITORING_ALERT_RECEIVERS:
        try:
            import_string(path)(alert)
        except Exception:
            log.exception("alert receiver %s failed on %s", path, alert.reference)
