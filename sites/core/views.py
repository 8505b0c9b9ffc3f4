"""Small views every site answers outside the page tree, and the admin's mail list."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog
from wagtail.admin.localization import get_localized_response

from security.roles import is_webmaster

from . import help, mail

FAVICON = Path(__file__).parent / "static" / "core" / "favicon.ico"


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
def favicon(request):
    """`/favicon.ico`, which browsers ask every site for whatever the page links."""
    response = HttpResponse(_favicon_bytes(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _webmaster_only(request):
    if not is_webmaster(request.user):
        raise PermissionDenied


def mail_list(request):
    """邮件: the mail this site sent its users (written to disk when no EMAIL_URL is set)."""
    _webmaster_only(request)
    return render(
        request,
        "core/admin_mail.html",
        {
            "mails": mail.stored_mail(connection.schema_name),
            "on_disk": settings.EMAIL_BACKEND == "sites.core.mail.SiteMailBackend",
        },
    )


def mail_detail(request, name):
    _webmaster_only(request)
    message = mail.one_mail(connection.schema_name, name)
    if message is None:
        raise Http404("没有这封邮件")
    return render(request, "core/admin_mail_detail.html", {"mail": message})


def help_index(request):
    """使用帮助: every role's guide, the user's own first."""
    mine = help.guides_for(request.user)
    others = [g for g in help.GUIDES if g not in mine]
    return render(request, "core/admin_help.html", {"mine": mine, "others": others})


def help_guide(request, slug):
    guide = help.BY_SLUG.get(slug)
    if guide is None:
        raise Http404("没有这份帮助")
    return render(request, "core/admin_help_guide.html", {"guide": guide, "guides": help.GUIDES})


# The admin's script strings: Wagtail's catalogue, then ours (sites/core/locale, djangojs).
_js_catalog = JavaScriptCatalog.as_view(packages=["wagtail.admin", "sites.core"])


def admin_js_catalog(request, *args, **kwargs):
    return get_localized_response(_js_catalog, request, *args, **kwargs)
