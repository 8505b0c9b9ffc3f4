"""The platform console: operators list, provision and suspend sites (public schema only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseServerError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from security import accounts as account_security
from security.audit import listing
from security.audit.events import MIRRORED_IN_SITE_CHAINS
from security.audit.models import AuditEvent
from security.audit.services import chains, latest_verification, record
from security.roles import is_console_operator, is_console_security_auditor

from .. import services, workdays
from ..glossary import services as glossary
from ..glossary.models import ProtectedTerm
from ..models import CalendarEntry, Website
from .forms import (
    CalendarEntryForm,
    ProvisionForm,
    RegistryForm,
    ResponsibilityForm,
    StatusForm,
)

# Console roles (security.roles): operators run sites; security auditors read the
# audit trail and the responsibility register, and change nothing.
operator_required = user_passes_test(is_console_operator, login_url="console:login")
reader_required = user_passes_test(
    lambda u: is_console_operator(u) or is_console_security_auditor(u), login_url="console:login"
)


@login_required(login_url="console:login")
@operator_required
def accounts(request):
    """Console accounts locked out by failed sign-ins, and authenticators to reset (a lost
    phone): what a site's webmaster does in its admin, for the console's own accounts."""
    if request.method == "POST":
        account_security.apply_account_action(request)
        return redirect("console:accounts")
    return render(
        request, "tenants/console/accounts.html", account_security.account_security_context()
    )


@login_required(login_url="console:login")
@operator_required
def protected_terms(request):
    """专有名词保护: names the 繁體 pages of every site keep as written (企业登记名称, 人名)."""
    if request.method == "POST":
        if request.POST.get("delete"):
            term = ProtectedTerm.objects.filter(pk=request.POST["delete"]).first()
            if term is not None:
                glossary.remove_term(term.pk)
                record("console.protected_terms", message=f"删除：{term.term}")
                messages.success(request, f"已删除“{term.term}”。")
        else:
            try:
                term = glossary.add_term(
                    request.POST.get("term", "")[:60],
                    request.POST.get("note", "")[:200],
                    actor=request.user.get_username(),
                )
            except ValidationError as error:
                messages.error(request, "未添加：" + "；".join(error.messages))
            else:
                record("console.protected_terms", message=f"添加：{term.term}")
                messages.success(request, f"已添加“{term.term}”：繁体页面中将保持原样。")
        return redirect("console:protected_terms")
    return render(
        request,
        "tenants/console/protected_terms.html",
        {"terms": ProtectedTerm.objects.all()},
    )


@login_required(login_url="console:login")
def audit_trail(request):
    """Every site's trail and the console's own, for security auditors; CSV export."""
    if not is_console_security_auditor(request.user):
        raise PermissionDenied
    events = listing.filtered_events(request.GET)
    if request.GET.get("format") == "csv":
        return listing.csv_response(request, events, "audit-all-sites.csv", "public")
    return render(
        request,
        "tenants/console/audit_trail.html",
        {
            **listing.page_context(request, events),
            "chains": chains(),
            "verification": latest_verification(),
        },
    )


@login_required(login_url="console:login")
@reader_required
def responsibility(request):
    """Who answers for each site (Z3, O1): leaders, operating units and their contacts."""
    return render(
        request,
        "tenants/console/responsibility.html",
        {"sites": services.sites().select_related("parent")},
    )


@require_POST
@login_required(login_url="console:login")
@operator_required
def edit_responsibility(request, schema_name):
    try:
        site = services.get_site(schema_name)
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
        return redirect("console:site_list")
    before = {name: getattr(site, name) for name in ResponsibilityForm.Meta.fields}
    form = ResponsibilityForm(request.POST, instance=site)
    if form.is_valid():
        form.save()
        changes = {
            n: [before[n], getattr(site, n)] for n in before if before[n] != getattr(site, n)
        }
        for schema in ("public", site.schema_name):
            record("console.site_registry", schema_name=schema, obj=site, changes=changes)
        messages.success(request, "责任信息已保存。")
    else:
        messages.error(
            request,
            "责任信息未保存："
            + "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("console:site_detail", schema_name=schema_name)


@login_required(login_url="console:login")
@reader_required
def site_list(request):
    return render(
        request,
        "tenants/console/site_list.html",
        {
            "sites": services.sites().select_related("parent"),
            "uncovered_years": workdays.uncovered_years(),
        },
    )


@login_required(login_url="console:login")
@reader_required
def calendar(request):
    """The working-day calendar (tenants/workdays.py): the operators' holidays and make-up
    working days per year, and which years nobody knows yet."""
    today = timezone.localdate()
    uncovered = workdays.uncovered_years(today)
    try:
        year = int(request.GET.get("year") or (uncovered[0] if uncovered else today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    form = CalendarEntryForm()
    if request.method == "POST":
        if not is_console_operator(request.user):
            raise PermissionDenied
        form = CalendarEntryForm(request.POST)
        if form.is_valid():
            entry = form.save(commit=False)
            entry.entered_by = request.user.get_username()
            entry.save()
            record(
                "console.calendar",
                schema_name="public",
                obj=entry,
                changes={"added": [str(entry.date), entry.kind, entry.note]},
            )
            messages.success(request, f"已录入 {entry}。")
            return redirect(f"{reverse('console:calendar')}?year={entry.date.year}")
        messages.error(request, "未录入，请按提示修改后再提交。")
    return render(
        request,
        "tenants/console/calendar.html",
        {
            "year": year,
            "years": range(today.year - 1, today.year + 3),
            "source": workdays.year_source(year),
            "entries": CalendarEntry.objects.filter(date__year=year),
            "uncovered_years": uncovered,
            "form": form,
            "can_operate": is_console_operator(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required(login_url="console:login")
@operator_required
def calendar_delete(request, entry_id):
    entry = CalendarEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        messages.error(request, "该条目已不存在。")
        return redirect("console:calendar")
    entry.delete()
    record(
        "console.calendar",
        schema_name="public",
        object_type="tenants.calendarentry",
        object_id=entry_id,
        object_repr=str(entry),
        changes={"removed": [str(entry.date), entry.kind, entry.note]},
    )
    messages.success(request, f"已删除 {entry}。")
    return redirect(f"{reverse('console:calendar')}?year={entry.date.year}")


# Change keys that are not fields of the registry entry.
CHANGE_LABELS = {
    "reason": "原因",
    "domain": "域名",
    "added": "添加域名",
    "removed": "删除域名",
    "primary": "主域名",
    "webmaster": "网站管理员账号",
    "missing_responsibility": "缺少的责任信息",
}


def readable_changes(changes) -> list[str]:
    """An audit event's changes as an operator reads them: "状态：运行 → 暂停" (the registry's
    own field names and choice labels), not the stored JSON."""
    if not isinstance(changes, dict):
        return []

    def shown(field, value):
        if value in ("", None, [], {}):
            return "（空）"
        choices = dict(field.flatchoices) if field is not None and field.choices else {}
        if isinstance(value, list):
            return "、".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))

    lines = []
    for key, value in changes.items():
        try:
            field = Website._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        label = str(field.verbose_name) if field is not None else CHANGE_LABELS.get(key, key)
        if isinstance(value, list) and len(value) == 2:  # recorded as [old, new]
            lines.append(f"{label}：{shown(field, value[0])} → {shown(field, value[1])}")
        else:
            lines.append(f"{label}：{shown(field, value)}")
    return lines


@login_required(login_url="console:login")
@reader_required
def site_detail(request, schema_name, registry_form=None, status_form=None):
    try:
        site = services.get_site(schema_name)
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
        return redirect("console:site_list")
    history = AuditEvent.objects.filter(
        schema_name="public",
        event_type__in=MIRRORED_IN_SITE_CHAINS,
        object_type="tenants.website",
        object_id=str(site.pk),
    ).order_by("-seq")[:20]
    for event in history:
        event.readable_changes = readable_changes(event.changes)
    return render(
        request,
        "tenants/console/site_detail.html",
        {
            "site": site,
            "statuses": site.Status.choices,
            "registry_form": registry_form or RegistryForm(instance=site),
            "status_form": status_form or StatusForm(),
            "domains": site.domains.order_by("-is_primary", "domain"),
            "history": history,
            "can_operate": is_console_operator(request.user),
        },
        status=400 if (registry_form or status_form) else 200,
    )


@require_POST
@login_required(login_url="console:login")
@operator_required
def edit_registry(request, schema_name):
    """Any registry field after creation; each change audited (old → new)."""
    site = _site_or_404(schema_name)
    form = RegistryForm(request.POST, instance=services.get_site(schema_name))
    if not form.is_valid():
        messages.error(request, "登记信息未保存，请按提示修改后再提交。")
        return site_detail(request, schema_name, registry_form=form)
    changes = services.update_registry(site, form.cleaned_data)
    messages.success(
        request, f"登记信息已保存（{len(changes)} 项变更）。" if changes else "登记信息没有变化。"
    )
    return redirect("console:site_detail", schema_name=schema_name)


@require_POST
@login_required(login_url="console:login")
@operator_required
def edit_domains(request, schema_name):
    """Add a domain, remove one, or choose the primary (V4 checks; Wagtail's Site follows)."""
    site = _site_or_404(schema_name)
    action, domain = request.POST.get("action"), (request.POST.get("domain") or "").strip()
    actions = {
        "add": (services.add_domain, "已添加域名 {}。"),
        "remove": (services.remove_domain, "已删除域名 {}。"),
        "primary": (services.set_primary_domain, "{} 已设为主域名。"),
    }
    if action not in actions or not domain:
        messages.error(request, "请填写域名并选择操作。")
    else:
        change, done = actions[action]
        try:
            change(site, domain)
        except ValidationError as exc:
            messages.error(request, "域名未修改：" + " ".join(exc.messages))
        else:
            messages.success(request, done.format(domain))
    return redirect("console:site_detail", schema_name=schema_name)


def _site_or_404(schema_name):
    try:
        return services.get_site(schema_name)
    except services.ProvisioningError:
        raise Http404 from None


@login_required(login_url="console:login")
@operator_required
def provision(request):
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.provision_site(
                kind=data.pop("kind"),
                legal_name=data.pop("legal_name"),
                short_name=data.pop("short_name"),
                domain=data.pop("domain"),
                schema_name=data.pop("schema_name") or None,
                parent=data.pop("parent"),
                **data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(request, "tenants/console/provisioned.html", {"result": result})
    return render(request, "tenants/console/provision.html", {"form": form})


@require_POST
@login_required(login_url="console:login")
@operator_required
def change_status(request, schema_name):
    """Suspend and archive ask for a reason and a confirmation (StatusForm); activation needs
    the site code and the responsible people on record (services.set_status)."""
    form = StatusForm(request.POST)
    try:
        site = services.get_site(schema_name)
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
        return redirect("console:site_list")
    if not form.is_valid():
        messages.error(
            request, "状态未改变：" + " ".join(e for errors in form.errors.values() for e in errors)
        )
        return site_detail(request, schema_name, status_form=form)
    try:
        services.set_status(site, form.cleaned_data["status"], form.cleaned_data["reason"])
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{site.legal_name} 的状态已改为“{site.get_status_display()}”。")
    return redirect("console:site_detail", schema_name=schema_name)


def error_page(status, title, text):
    """The console's own error pages: its look, in Chinese (config.urls_public handler4xx)."""

    def view(request, exception=None):
        return render(
            request,
            "tenants/console/error.html",
            {"status": status, "title": title, "text": text},
            status=status,
        )

    return view


page_not_found = error_page(404, "页面不存在", "您访问的控制台页面不存在，或网站已被删除。")
permission_denied = error_page(
    403, "没有权限", "您的账户没有权限访问此页面。如需此权限，请联系平台负责人分配角色。"
)


def server_error(request):
    # No context processors or database: whatever broke may be one of them.
    from django.template.loader import get_template

    html = get_template("tenants/console/500.html").render({})
    return HttpResponseServerError(html)
