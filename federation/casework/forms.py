from django import forms


class QueryForm(forms.Form):
    number = forms.CharField(
        label="受理编号", max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    code = forms.CharField(
        label="查询码",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text="提交时页面显示的 8 位查询码（也在确认邮件中），不区分大小写",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SupplementForm(forms.Form):
    note = forms.CharField(
        label="补正说明", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(
        label="补正材料", help_text="PDF、OFD、JPG、PNG、Word、Excel，每个不超过 20 MB"
    )
