"""Who may see a case: the applicant after giving number + query code on this site (kept in
the site's session: a host-only cookie, so a grant on one site is worth nothing on another),
and the handling sites' staff (admin_views)."""

from .models import Case
from .services import normalise_number

SESSION_KEY = "casework_cases"
KEEP = 10  # cases one browser may have open at once


def grant(request, case: Case) -> None:
    granted = [pk for pk in request.session.get(SESSION_KEY, []) if pk != case.pk]
    request.session[SESSION_KEY] = [case.pk, *granted][:KEEP]
    request.session.cycle_key()  # a new session id for what the code unlocked


def granted_case(request, number: str) -> Case | None:
    granted = request.session.get(SESSION_KEY, [])
    if not granted:
        return None
    return Case.objects.filter(pk__in=granted, number=normalise_number(number)).first()
