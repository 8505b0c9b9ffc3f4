"""URLs of the public schema's own host: the platform console for operators."""

from django.urls import include, path

urlpatterns = [
    path("2fa/", include("security.urls")),
    path("", include("tenants.console.urls")),
]
