"""The platform console: operators list, provision and suspend sites (public schema only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from security import accounts as account_security
from security.audit import listing
from security.audit.services import chains, latest_verification, record
from security.roles import is_console_operator, is_console_security_auditor

from .. import services
from .forms import ProvisionForm, ResponsibilityForm, StatusForm

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
        {"sites": services.sites().select_related("parent")},
    )


@login_required(login_url="console:login")
@reader_required
def site_detail(request, schema_name):
    try:
        site = services.get_site(schema_name)
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
        return redirect("console:site_list")
    return render(
        request,
        "tenants/console/site_detail.html",
        {
            "site": site,
            "statuses": site.Status.choices,
            "responsibility_form": ResponsibilityForm(instance=site),
            "can_operate": is_console_operator(request.user),
        },
    )


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
    form = StatusForm(request.POST)
    try:
        site = services.get_site(schema_name)
        if not form.is_valid():
            raise services.ProvisioningError("未知的状态。")
        services.set_status(site, form.cleaned_data["status"])
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{site.legal_name} 的状态已改为“{site.get_status_display()}”。")
    return redirect("console:site_detail", schema_name=schema_name)
