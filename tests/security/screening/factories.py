"""Dictionary entries and article forms for the screening tests."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from security.screening.models import Kind, OfficialTitle, ScreeningTerm

WRONG_NAME = "张建困"  # the leader is 张建国: a wrong character
RIGHT_NAME = "张建国"


def leader_dictionary():
    """In the current schema: a wrong leader name (serious), a common mistake (a warning) and
    the leader's title."""
    ScreeningTerm.objects.create(
        kind=Kind.OFFICIAL_NAME, term=WRONG_NAME, suggestion=RIGHT_NAME, note="市长姓名"
    )
    ScreeningTerm.objects.create(kind=Kind.MISTAKE, term="既使", suggestion="即使")
    OfficialTitle.objects.create(person=RIGHT_NAME, title="市长")
    OfficialTitle.objects.create(person="李文华", title="副市长")


def article_form(page, action="action-publish", **changes):
    values = {
        "title": page.title,
        "slug": page.slug,
        "date": page.date.isoformat(),
        "source": "",
        "summary": page.summary,
        "body": streamfield([]),
        "comments": inline_formset([]),
        action: action,
    }
    values.update(changes)
    return nested_form_data(values)
