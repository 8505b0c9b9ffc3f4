"""Links to a site's pages from outside its own request: the one place absolute URLs are built.

The library, syndication and cross-site search all link to an item on its own site; every such
link comes from `absolute_url()`, so a change of domain, port or scheme is made here once.
"""

from django.conf import settings


def site_origin(website) -> str:
    """`http://alpha.localhost:8000` — scheme, primary domain and SITE_PUBLIC_PORT."""
    port = settings.SITE_PUBLIC_PORT
    scheme = getattr(settings, "SITE_PUBLIC_SCHEME", "https" if port == 443 else "http")
    default_port = 443 if scheme == "https" else 80
    host = website.primary_domain
    return f"{scheme}://{host}" if port == default_port else f"{scheme}://{host}:{port}"


def absolute_url(website, path: str = "/") -> str:
    """The absolute URL of `path` on `website` (its primary domain)."""
    return url_at(site_origin(website), path)


def url_at(origin: str, path: str = "/") -> str:
    """The absolute URL of `path` under an origin already read (`site_origin`): for many links
    to one site, without a domain lookup each."""
    if not path.startswith("/"):
        path = "/" + path
    return origin + path
