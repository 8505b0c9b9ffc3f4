"""The catalogue's filters, as a visitor submits them."""

from django import forms

from .models import Department, DisclosureItem, TopicCategory

PAGE_SIZES = (20, 50, 100)


class CatalogueFilterForm(forms.Form):
    """What a visitor may filter by. Unknown values are form errors, never server errors."""

    # Plain choices read with one ordinary query each: a ModelChoiceField iterates its
    # queryset through a server-side cursor (three round trips) on every render.
    category = forms.TypedChoiceField(
        required=False, label="主题分类", coerce=int, empty_value=None
    )
    genre = forms.ChoiceField(
        required=False, label="体裁", choices=[("", "全部"), *DisclosureItem.Genre.choices]
    )
    year = forms.TypedChoiceField(required=False, label="年份", coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        required=False, label="责任部门", coerce=int, empty_value=None
    )
    validity = forms.ChoiceField(
        required=False,
        label="效力状态",
        choices=[("", "全部"), *[c for c in DisclosureItem.Validity.choices if c[0]]],
    )
    q = forms.CharField(required=False, label="标题或文号", max_length=60)
    per_page = forms.TypedChoiceField(
        required=False,
        label="每页",
        coerce=int,
        empty_value=20,
        choices=[(n, f"{n} 条") for n in PAGE_SIZES],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部"), *[(y, f"{y}年") for y in years]]
        self.fields["category"].choices = [
            ("", "全部"),
            *TopicCategory.objects.values_list("pk", "name"),
        ]
        self.fields["department"].choices = [
            ("", "全部"),
            *Department.objects.values_list("pk", "name"),
        ]
