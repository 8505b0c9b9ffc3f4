"""Where alerts enter the emergency plan: a receiver named in MONITORING_ALERT_RECEIVERS.

Monitoring hands each alert over as an object with `kind` ("defacement", "outage"), `website`,
`detected_at`, `title`, `detail`, `reference` (unique per alert) and `admin_path` (its evidence
in the site's admin); it names no module of ours, and we import nothing of it.
"""

from .models import SecurityIncident
from .services import report

K, L = SecurityIncident.Kind, SecurityIncident.Level
KINDS = {"defacement": K.DEFACEMENT, "outage": K.OUTAGE}
# The first grade, which the office or an operator revises (services.set_level): a government
# site's defaced home page is at least 较大 (Ⅲ) under the national plan's scale; an outage of a
# site is 一般 (Ⅳ) until its cause and spread are known.
FIRST_LEVEL = {K.DEFACEMENT: L.III, K.OUTAGE: L.IV, K.OTHER: L.IV}


def from_monitoring_alert(alert) -> SecurityIncident:
    kind = KINDS.get(alert.kind, K.OTHER)
    incident, _ = report(
        alert.website,
        kind,
        alert.title,
        level=FIRST_LEVEL[kind],
        observed=alert.detail,
        source="monitoring",
        reference=alert.reference,
        evidence_path=alert.admin_path,
        actor="网站监测",
    )
    return incident
