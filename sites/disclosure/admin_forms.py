"""The admin (editor) form of disclosure items."""

from wagtail.admin.forms import WagtailAdminPageForm


class DisclosureItemForm(WagtailAdminPageForm):
    """The index number may be set by hand (legacy numbers) until first publication; after
    that the field is shown but cannot be changed (the model refuses it as well)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("index_number")
        if field is not None and self.instance.first_published_at:
            field.disabled = True
            field.help_text = "已发布的信息，索引号不可更改。"
