"""Pick the site from the Host header, and answer for sites that are not (or no longer) live."""

from django.db import connection
from django.http.request import split_domain_port
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from .models import Website


class WebsiteMiddleware(TenantMainMiddleware):
    @staticmethod
    def hostname_from_request(request):
        # Unlike django-tenants' default we keep "www.": a registered domain matches as written.
        domain, _port = split_domain_port(request.get_host())
        return domain.lower()

    def no_tenant_found(self, request, hostname):
        return no_such_site(request, hostname)

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        website = request.tenant
        if website.kind == Website.Kind.TEMPLATE:
            connection.set_schema_to_public()
            return no_such_site(request, website.domain_url)
        if website.status == Website.Status.SUSPENDED:
            response = render(
                request, "tenants/site_suspended.html", {"website": website}, status=503
            )
            response["Retry-After"] = "3600"
            return response
        if website.status == Website.Status.ARCHIVED:
            return render(request, "tenants/site_archived.html", {"website": website}, status=410)
        return None


def no_such_site(request, hostname):
    return render(request, "tenants/no_such_site.html", {"hostname": hostname}, status=404)


class SiteRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, on sites only: the console's public schema has no Wagtail tables."""

    def process_response(self, request, response):
        if connection.schema_name == get_public_schema_name():
            return response
        return super().process_response(request, response)
