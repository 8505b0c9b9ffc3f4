"""Public pages on every site: its mailboxes, writing a letter, published letters and the
monthly statistics, 找错, 依申请公开 requests (their status: casework's /banjian/). Plain views, never in
the page cache (forms carry tokens; lists change with every publication)."""

import secrets

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from federation.casework.errors import CaseError
from tenants.models import Website

from . import services
from .forms import DisclosureRequestForm, ErrorReportForm, LetterForm
from .models import Mailbox


def _site():
    site = Website.objects.current()
    if site is None:
        raise Http404
    return site


def _mailbox(slug) -> Mailbox:
    site = _site()
    services.default_mailboxes(site)
    return get_object_or_404(Mailbox, site=site, slug=slug, active=True)


def _attachments(form):
    upload = form.cleaned_data.get("attachment")
    return [("附件", upload)] if upload else []


def _token(form):
    return form.cleaned_data.get("client_token") or None


def _received(request, case, code, what):
    return render(request, "letters/received.html", {"case": case, "code": code, "what": what})


@never_cache
def mailboxes(request):
    site = _site()
    return render(
        request,
        "letters/mailboxes.html",
        {"mailboxes": services.default_mailboxes(site), "site": site},
    )


@never_cache
def mailbox(request, slug):
    box = _mailbox(slug)
    return render(
        request,
        "letters/mailbox.html",
        {
            "mailbox": box,
            "letters": services.published_letters(box)[:50],
            "stats": services.monthly_statistics(box, request.GET.get("month")),
        },
    )


@never_cache
def published_letter(request, slug, number):
    box = _mailbox(slug)
    letter = get_object_or_404(services.published_letters(box), case__number=number)
    return render(request, "letters/letter.html", {"mailbox": box, "letter": letter})


@never_cache
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def write(request, slug):
    box = _mailbox(slug)
    form = LetterForm(
        box,
        request.POST or None,
        request.FILES or None,
        initial={"client_token": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, "提交过于频繁，请一小时后再试。")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, code = services.submit_letter(
                box,
                category=data["category"],
                title=data["title"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                publish_allowed=data["publish_allowed"],
                attachments=_attachments(form),
                client_token=_token(form),
            )
        except (CaseError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            return _received(request, case, code, box.name)
    return render(request, "letters/write.html", {"mailbox": box, "form": form})


@never_cache
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def error_report(request):
    site = _site()
    url = request.GET.get("url", "")[:500]
    form = ErrorReportForm(
        request.POST or None, initial={"page_url": url, "client_token": secrets.token_urlsafe(24)}
    )
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, "提交过于频繁，请一小时后再试。")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case, code = services.submit_error_report(
            site,
            page_url=data["page_url"],
            description=data["description"],
            contact=data["contact"],
            client_token=_token(form),
        )
        return _received(request, case, code, "网站找错")
    return render(request, "letters/zhaocuo.html", {"form": form, "site": site})


@never_cache
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def disclosure_request(request):
    site = _site()
    form = DisclosureRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"client_token": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, "提交过于频繁，请一小时后再试。")
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("attachment", None)
        data.pop("client_token", None)
        try:
            case, code = services.submit_disclosure_request(
                site, attachments=_attachments(form), client_token=_token(form), **data
            )
        except (CaseError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            return _received(request, case, code, "政府信息公开申请")
    return render(request, "letters/ysqgk.html", {"form": form, "site": site})
