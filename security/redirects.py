"""Redirects are a webmaster's tool (issue 13, Z2).

Only 网站管理员 hold the redirect permissions (roles.py). And a redirect target off the
platform's domains (an outside address: the classic phishing redirect from a government
path) is refused unless a webmaster sets it. The check is a validator on Wagtail's
`Redirect.redirect_link`, so every form that validates a redirect applies it: add, edit and
the import of a redirect file.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from .audit.context import current_request
from .roles import is_webmaster


def platform_hosts() -> set[str]:
    """Every site's domains (the registry, in the public schema, on every connection's search
    path) and the Wagtail Site hostnames of this schema."""
    from django_tenants.utils import get_tenant_domain_model
    from wagtail.models import Site

    hosts = set(get_tenant_domain_model().objects.values_list("domain", flat=True))
    hosts |= set(Site.objects.values_list("hostname", flat=True))
    return {host.lower().split(":")[0] for host in hosts if host}


def validate_redirect_target(value):
    host = (urlsplit(value or "").hostname or "").lower()
    if not host or host in platform_hosts():
        return
    request = current_request()
    user = getattr(request, "user", None)
    if user is not None and is_webmaster(user):
        return
    raise ValidationError(
        f"跳转目标 {host} 不是本平台网站的域名：指向外部网站的跳转只能由网站管理员设置。"
        "请改为本平台网站的地址，或请网站管理员添加。",
        code="external_redirect",
    )


def install():
    from wagtail.contrib.redirects.models import Redirect

    field = Redirect._meta.get_field("redirect_link")
    if validate_redirect_target not in field.validators:
        field.validators.append(validate_redirect_target)
