"""URLs of the public schema's own host: the platform console for operators."""

from django.urls import include, path

urlpatterns = [
    path("2fa/", include("sites.security.urls")),
    path("audit/", include("audit.urls")),
    path("", include("tenants.console.urls")),
]
