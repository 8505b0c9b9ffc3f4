"""The console's audit trail: security auditors read every site's records; CSV export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from sites.security.roles import is_console_security_auditor
from sites.security.views import _filtered_events, audit_page, csv_response

from .services import chains, latest_verification


@login_required(login_url="console:login")
def console_trail(request):
    if not is_console_security_auditor(request.user):
        raise PermissionDenied
    events = _filtered_events(request)
    if request.GET.get("format") == "csv":
        return csv_response(request, events, "audit-all-sites.csv", "public")
    return audit_page(request, events, "audit/console_trail.html", {"chains": chains(),
                                                                           "verification": latest_verification()})
