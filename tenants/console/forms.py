from django import forms

from ..models import Website


class ProvisionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in Website.SITE_KINDS])
    legal_name = forms.CharField(label="法定名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40)
    domain = forms.CharField(label="域名", max_length=253,
                             help_text="英文域名以 .gov.cn 结尾，中文域名以 .cn 结尾")
    schema_name = forms.CharField(label="模式名", max_length=40, required=False,
                                  help_text="留空则由域名生成")
    parent = forms.ModelChoiceField(label="上级机关", required=False,
                                    queryset=Website.objects.filter(kind__in=Website.SITE_KINDS))
    site_code = forms.CharField(label="网站标识码", max_length=20, required=False)
    icp_number = forms.CharField(label="ICP备案号", max_length=40, required=False)
    sponsor_unit = forms.CharField(label="主办单位", max_length=100, required=False)
    operator_unit = forms.CharField(label="承办单位", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=40, required=False)
    contact_email = forms.EmailField(label="联系邮箱", required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Website.Status.choices)
