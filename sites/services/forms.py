"""The editor's form of a service item: themes, life events and parallel departments are
chosen from lists (checkboxes), not typed."""

from django import forms
from django.db import connection
from django_tenants.utils import get_tenant_model
from wagtail.admin.forms import WagtailAdminPageForm


def department_choices() -> list[tuple[str, str]]:
    """Other active sites of the registry that can approve in parallel (departments and
    districts), as (schema name, name). The registry is reached as get_user_model() reaches
    users: this layer sits below tenants."""
    own = getattr(connection, "schema_name", "")
    Website = get_tenant_model()
    rows = (
        Website.objects.exclude(schema_name__in=[own, "public", "site_template"])
        .filter(kind__in=["department", "district"], status="active")
        .order_by("kind", "legal_name")
        .values_list("schema_name", "legal_name")
    )
    return list(rows)


class ServiceItemForm(WagtailAdminPageForm):
    themes = forms.MultipleChoiceField(
        label="主题分类", required=False, widget=forms.CheckboxSelectMultiple
    )
    life_events = forms.MultipleChoiceField(
        label="人生事件",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="人生事件列表由门户网站统一维护",
    )
    parallel_sites = forms.MultipleChoiceField(
        label="并联审批部门",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="须由其他部门同时审批的事项：勾选的部门与本部门同时收到申请，由本部门办结",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import THEMES, life_event_choices  # models import this form

        self.fields["themes"].choices = [(t, t) for t in THEMES]
        events = life_event_choices()
        # a name dropped from the list since stays choosable on the items that carry it
        events += [e for e in (self.initial.get("life_events") or []) if e not in events]
        self.fields["life_events"].choices = [(e, e) for e in events]
        self.fields["parallel_sites"].choices = department_choices()
