"""The platform console: operators list, provision and suspend sites (public schema only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import services
from .forms import ProvisionForm, StatusForm


def _is_operator(user):
    return user.is_active and user.is_staff


operator_required = user_passes_test(_is_operator, login_url="console:login")


@login_required(login_url="console:login")
@operator_required
def site_list(request):
    return render(request, "tenants/console/site_list.html",
                  {"sites": services.sites().select_related("parent")})


@login_required(login_url="console:login")
@operator_required
def site_detail(request, schema_name):
    try:
        site = services.get_site(schema_name)
    except services.ProvisioningError as exc:
        messages.error(request, str(exc))
        return redirect("console:site_list")
    return render(request, "tenants/console/site_detail.html",
                  {"site": site, "statuses": site.Status.choices})


@login_required(login_url="console:login")
@operator_required
def provision(request):
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.provision_site(
                kind=data.pop("kind"), legal_name=data.pop("legal_name"),
                short_name=data.pop("short_name"), domain=data.pop("domain"),
                schema_name=data.pop("schema_name") or None, parent=data.pop("parent"), **data,
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
