from django import forms

from ..models import Website


class ProvisionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in Website.SITE_KINDS])
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
    site_code = forms.CharField(label="网站标识码", max_length=20, required=False)
    icp_number = forms.CharField(label="ICP备案号", max_length=40, required=False)
    sponsor_unit = forms.CharField(label="主办单位", max_length=100, required=False)
    operator_unit = forms.CharField(label="承办单位", max_length=100)
    # Responsibility (Z3): required here, so a site opened in the console can go live.
    responsible_leader = forms.CharField(label="主管领导", max_length=50)
    responsible_leader_phone = forms.CharField(label="主管领导电话", max_length=40)
    operator_contact = forms.CharField(label="承办单位负责人", max_length=50)
    operator_contact_phone = forms.CharField(label="承办单位负责人电话", max_length=40)
    contact_phone = forms.CharField(label="联系电话", max_length=40, required=False)
    contact_email = forms.EmailField(label="联系邮箱", required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Website.Status.choices)


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
