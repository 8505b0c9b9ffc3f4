"""The hall at /wsbs/ on every site, an item's guide from the library, and applying online."""

import logging
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.files import File
from django.core.mail import send_mail
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET

from federation.casework.errors import CaseError, UploadRejected
from sites.services.models import THEMES
from tenants.models import Website

from . import apply, hall
from .services import life_event_names

# Where an applicant follows a case with its number and query code (federation.casework).
STATUS_PATH = "/banjian/"


def _url(params: dict, **change) -> str:
    merged = {**params, **change}
    return "?" + urlencode([(k, v) for k, v in merged.items() if v])


@require_GET
def hall_page(request):
    website = request.tenant
    filters = hall.Filters.from_params(request.GET)
    facets, count = hall.facet_counts(website, filters, life_event_names(), THEMES)
    params = filters.params()
    names = {"theme": "theme", "event": "event", "level": "level", "kind": "kind", "site": "dept"}
    for key, values in facets.items():
        for facet in values:
            facet.url = _url(params, **{names[key]: "" if facet.selected else facet.value})
    page_obj = hall.listing(website, filters, request.GET.get("page"), count)
    is_portal = website.kind == Website.Kind.PORTAL
    rows = [
        {
            "title": entry.title,
            "url": f"/wsbs/item/{entry.pk}/" if is_portal else urlsplit(entry.url).path,
            "department": entry.site.short_name or entry.site.legal_name,
            "kind": hall.SERVICE_TYPES.get(entry.service_type, ""),
            "level": entry.online_level,
            "level_label": hall.LEVELS.get(entry.online_level, hall.LEVELS[1]),
            "summary": entry.summary,
        }
        for entry in page_obj.object_list
    ]
    return render(
        request,
        "onestop/hall.html",
        {
            "facets": facets,
            "filters": filters,
            "page_obj": page_obj,
            "rows": rows,
            "is_portal": is_portal,
            "any_filter": any(params.values()),
            "page_query": _url(params),
        },
    )


def _absolute_documents(guide: dict, item_url: str) -> dict:
    """A guide's blank forms are documents of the department's site: links on its domain."""
    for material in guide.get("materials") or []:
        for key in ("blank_form", "sample"):
            document = material.get(key)
            if document and document.get("url", "").startswith("/"):
                document["url"] = urljoin(item_url, document["url"])
    return guide


def item_for(website, pk):
    """A current service item the site may show: any on the portal, its own elsewhere."""
    item = hall.service_items(website).select_related("site").filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该办事事项：它可能已撤下，请回到网上办事大厅查找。")
    return item


@require_GET
def item_page(request, pk):
    item = item_for(request.tenant, pk)
    guide = _absolute_documents(dict(item.extra.get("guide") or {}), item.url)
    parallel = list(
        Website.objects.filter(schema_name__in=guide.get("parallel_sites") or []).values_list(
            "legal_name", flat=True
        )
    )
    return render(
        request,
        "onestop/item.html",
        {
            "item": item,
            "guide": guide,
            "department": item.site.legal_name,
            "department_url": item.url,
            "parallel_names": parallel,
            "apply_url": f"/wsbs/item/{item.pk}/apply/"
            if (guide.get("online_level") or 1) >= 3
            else "",
        },
    )


# --- applying online ------------------------------------------------------------------------

log = logging.getLogger("jiyue.onestop")


def _own_item(website, page_id):
    item = (
        hall.service_items(website)
        .select_related("site")
        .filter(site=website, page_id=page_id)
        .first()
    )
    if item is None:
        raise Http404("没有找到该办事事项：它可能已撤下，请回到网上办事查找。")
    return item


@never_cache
@csrf_protect
def apply_by_page(request, page_id):
    return _apply(request, _own_item(request.tenant, page_id))


@never_cache
@csrf_protect
def apply_item(request, pk):
    return _apply(request, item_for(request.tenant, pk))


def _apply(request, item):
    guide = dict(item.extra.get("guide") or {})
    context = {"item": item, "guide": guide, "consent_text": apply.CONSENT_TEXT}
    if (guide.get("online_level") or 1) < 3:
        context["not_online"] = True
        return render(request, "onestop/apply.html", context, status=200)
    if item.site.status != Website.Status.ACTIVE:
        context["site_unavailable"] = True
        return render(request, "onestop/apply.html", context, status=503)
    if request.method != "POST":
        form = apply.ApplicationForm(guide=guide, initial={"client_token": apply.new_token()})
        return render(request, "onestop/apply.html", {**context, "form": form})
    token = request.POST.get("client_token", "")
    waiting = apply.held(request, token)
    form = apply.ApplicationForm(
        request.POST,
        request.FILES,
        guide=guide,
        kept={field: path.name.split("__", 1)[1] for field, path in waiting.items()},
    )
    valid = form.is_valid()
    passed = {
        name: upload
        for name, upload in request.FILES.items()
        if name.startswith("material_") and name not in form.errors
    }
    if not valid:
        if apply.TOKEN.match(token):
            for name, upload in passed.items():
                apply.hold(request, token, name, upload)
            form.kept.update({name: upload.name for name, upload in passed.items()})
            for name in passed:  # now waiting: no longer required to be chosen again
                form.fields[name].help_text = f"已上传“{passed[name].name}”，无需重新选择"
        return render(request, "onestop/apply.html", {**context, "form": form}, status=400)
    files = apply.open_files({k: v for k, v in waiting.items() if k not in passed})
    files.update(passed)
    try:
        submitted = apply.submit(item, guide, form, files)
    except UploadRejected as exc:
        form.add_error(None, str(exc))
        return render(request, "onestop/apply.html", {**context, "form": form}, status=400)
    except CaseError as exc:
        form.add_error(None, f"{exc}（已填写的内容未丢失，请稍后再提交。）")
        return render(request, "onestop/apply.html", {**context, "form": form}, status=503)
    finally:
        for upload in files.values():
            if isinstance(upload, File) and not hasattr(upload, "content_type"):
                upload.close()
    apply.release(token)
    email = form.cleaned_data.get("email")
    if email and submitted.code and not submitted.replayed:
        _mail_receipt(request, item, submitted, email)
    return render(
        request,
        "onestop/applied.html",
        {
            **context,
            "case": submitted.case,
            "code": submitted.code,
            "replayed": submitted.replayed,
            "emailed": bool(email),
            "parallel_names": [
                t.site.legal_name for t in submitted.case.tasks.select_related("site")
            ],
        },
    )


def _mail_receipt(request, item, submitted, email):
    """The number and query code by mail (kept per site as every site's mail is)."""
    body = (
        f"您好：\n\n您在{request.tenant.legal_name}网站提交的“{item.title}”申请已收到。\n\n"
        f"受理编号：{submitted.case.number}\n查询码：{submitted.code}\n\n"
        f"凭受理编号和查询码可在网站查询办理进度：{request.build_absolute_uri(STATUS_PATH)}\n"
        "请妥善保管查询码，不要告诉他人。本邮件由系统发送，请勿回复。\n"
    )
    try:
        send_mail(f"【申请已提交】{item.title} {submitted.case.number}", body, None, [email])
    except Exception:  # noqa: BLE001 — the case is open; the screen shows the code anyway
        log.warning("receipt mail for case %s not sent", submitted.case.number, exc_info=True)
