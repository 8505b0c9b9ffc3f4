"""URLs of the public schema's own host: the platform console for operators."""

from django.urls import include, path

from sites.core.views import favicon

urlpatterns = [
    path("2fa/", include("security.urls")),
    path("favicon.ico", favicon, name="favicon"),
    path("cases/", include("federation.casework.console_urls")),  # applicants' data
    path("monitoring/", include("federation.monitoring.console")),  # evaluation (issue 16)
    path("incidents/", include("tenants.incidents.console")),  # 网站安全事件 (Z1)
    path("", include("tenants.console.urls")),
]

# The console's own error pages (styled, in Chinese), not a site's.
handler403 = "tenants.console.views.permission_denied"
handler404 = "tenants.console.views.page_not_found"
handler500 = "tenants.console.views.server_error"
