import re

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError

from ..models import CalendarEntry, Website
from ..validators import validate_police_record_number, validate_site_code

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def _clean_site_code(value: str, website: Website | None = None) -> str:
    value = (value or "").strip()
    validate_site_code(value)
    owner = Website.objects.filter(site_code=value).exclude(pk=getattr(website, "pk", None))
    if owner.exists():
        raise ValidationError(f"网站标识码 {value} 已被 {owner.first().legal_name} 使用。")
    return value


class ProvisionForm(forms.Form):
    # No kind chosen in advance: the operator says what the site is.
    kind = forms.ChoiceField(
        label="类型",
        choices=[("", "请选择网站类型"), *[(k.value, k.label) for k in Website.SITE_KINDS]],
    )
    legal_name = forms.CharField(label="法定名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40)
    domain = forms.CharField(
        label="域名", max_length=253, help_text="英文域名以 .gov.cn 结尾，中文域名以 .cn 结尾"
    )
    schema_name = forms.CharField(
        label="模式名", max_length=40, required=False, help_text="留空则由域名生成"
    )
    parent = forms.ModelChoiceField(
        label="上级机关",
        required=False,
        queryset=Website.objects.filter(kind__in=Website.SITE_KINDS),
    )
    site_code = forms.CharField(
        label="网站标识码",
        max_length=20,
        help_text="10 位：地方政府网站为 10 位数字，国务院部门网站为 bm 加 8 位数字",
    )
    icp_number = forms.CharField(label="ICP备案号", max_length=40, required=False)
    police_record_number = forms.CharField(
        label="公安机关备案号",
        max_length=50,
        required=False,
        validators=[validate_police_record_number],
        help_text="如：蒙公网安备 15030202000001号",
    )
    sponsor_unit = forms.CharField(label="主办单位", max_length=100, required=False)
    operator_unit = forms.CharField(label="承办单位", max_length=100)
    # Responsibility (Z3): required here, so a site opened in the console can go live.
    responsible_leader = forms.CharField(label="主管领导", max_length=50)
    responsible_leader_phone = forms.CharField(label="主管领导电话", max_length=40)
    operator_contact = forms.CharField(label="承办单位负责人", max_length=50)
    operator_contact_phone = forms.CharField(label="承办单位负责人电话", max_length=40)
    contact_phone = forms.CharField(label="联系电话", max_length=40, required=False)
    contact_email = forms.EmailField(label="联系邮箱", required=False)

    def clean_site_code(self):
        return _clean_site_code(self.cleaned_data["site_code"])


class StatusForm(forms.Form):
    """Suspend and archive take a reason and a confirmation; activation neither."""

    status = forms.ChoiceField(choices=Website.Status.choices)
    reason = forms.CharField(label="原因", max_length=200, required=False)
    confirm = forms.BooleanField(label="我确认要改变本网站的状态", required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") in (Website.Status.SUSPENDED, Website.Status.ARCHIVED):
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "请填写原因：暂停和归档的原因会记入登记信息和审计日志。")
            if not data.get("confirm"):
                self.add_error("confirm", "请确认：暂停或归档后，访问者将无法正常访问本网站。")
        return data


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = Website
        fields = [
            "sponsor_unit",
            "operator_unit",
            "responsible_leader",
            "responsible_leader_phone",
            "operator_contact",
            "operator_contact_phone",
            "contact_phone",
            "contact_email",
        ]


class RegistryForm(forms.ModelForm):
    """The whole registry entry of a site after creation (its domains have their own forms)."""

    languages = SimpleArrayField(
        forms.CharField(max_length=10),
        label="语言版本",
        required=False,
        help_text="语言代码，用逗号分隔，如 zh-hans,en",
    )

    class Meta:
        model = Website
        fields = [
            "legal_name",
            "short_name",
            "site_code",
            "icp_number",
            "police_record_number",
            "languages",
            "parent",
            *ResponsibilityForm.Meta.fields,
        ]
        help_texts = {
            "site_code": "10 位：地方政府网站为 10 位数字，国务院部门网站为 bm 加 8 位数字",
            "police_record_number": "如：蒙公网安备 15030202000001号",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_code"].required = True
        self.fields["parent"].queryset = Website.objects.sites().exclude(pk=self.instance.pk)

    def clean_site_code(self):
        return _clean_site_code(self.cleaned_data["site_code"], self.instance)

    def clean_police_record_number(self):
        value = (self.cleaned_data.get("police_record_number") or "").strip()
        validate_police_record_number(value)
        return value

    def clean_languages(self):
        codes = [code.strip().lower() for code in self.cleaned_data.get("languages") or []]
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise ValidationError(f"语言代码 {'、'.join(bad)} 无效：应如 zh-hans、en、mn。")
        return codes


class CalendarEntryForm(forms.ModelForm):
    """One day of the State Council's arrangement: a holiday or a make-up working day."""

    class Meta:
        model = CalendarEntry
        fields = ["date", "kind", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {"date": {"unique": "这一天已经录入过：如需更改，请先删除原来的条目。"}}
