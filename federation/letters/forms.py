from django import forms

from .models import Letter

PHONE_HELP = "用于答复联系，不公开"


class LetterForm(forms.Form):
    category = forms.ChoiceField(label="类别")
    title = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(
        label="内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 10})
    )
    name = forms.CharField(label="姓名", max_length=30)
    phone = forms.RegexField(
        label="手机号码",
        regex=r"^1[3-9]\d{9}$",
        help_text=PHONE_HELP,
        error_messages={"invalid": "请填写 11 位手机号码。"},
    )
    email = forms.EmailField(label="电子邮箱（可不填）", required=False)
    publish_allowed = forms.BooleanField(
        label="同意公开来信和答复（公开时隐去姓名、电话等个人信息）", required=False
    )
    attachment = forms.FileField(
        label="附件（可不填；PDF、图片、Word、Excel，不超过 20 MB）", required=False
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, mailbox, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c, c) for c in mailbox.category_list]


class ErrorReportForm(forms.Form):
    page_url = forms.CharField(label="出错的网页地址", max_length=500)
    description = forms.CharField(
        label="错误描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact = forms.CharField(label="联系方式（可不填）", max_length=100, required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_page_url(self):
        url = self.cleaned_data["page_url"].strip()
        if not url.startswith("/") or url.startswith("//"):
            raise forms.ValidationError("请填写本网站的网页地址（以 / 开头）。")
        return url


class DisclosureRequestForm(forms.Form):
    name = forms.CharField(label="申请人姓名或单位名称", max_length=100)
    id_number = forms.CharField(label="证件号码", max_length=30)
    phone = forms.CharField(label="联系电话", max_length=30)
    address = forms.CharField(label="通信地址", max_length=200)
    email = forms.EmailField(label="电子邮箱", required=False)
    information = forms.CharField(
        label="所需政府信息的名称、文号或便于查询的其他特征描述",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    purpose = forms.CharField(label="用途（可不填）", max_length=500, required=False)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Letter.Delivery.choices)
    attachment = forms.FileField(label="身份证明等材料（可不填）", required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
