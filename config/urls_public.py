"""URLs of the public schema's own host: the platform console for operators."""

from django.urls import include, path

from sites.core.views import favicon

urlpatterns = [
    path("2fa/", include("security.urls")),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("tenants.console.urls")),
]
