"""The public's forms. Text is stored as typed and escaped wherever it is shown."""

from django import forms

from .models import SurveyQuestion

CONTACT_HELP = "手机号码或电子邮箱，仅用于答复联系，不公开"


class BoardPostForm(forms.Form):
    subject = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(
        label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 8})
    )
    author_name = forms.CharField(label="称呼（可不填，公开时显示）", max_length=30, required=False)
    contact = forms.CharField(label="联系方式", max_length=100, help_text=CONTACT_HELP)


class ConsultationForm(BoardPostForm):
    pass


class InterviewQuestionForm(forms.Form):
    author_name = forms.CharField(label="称呼（可不填）", max_length=30, required=False)
    content = forms.CharField(
        label="您的问题", max_length=1000, widget=forms.Textarea(attrs={"rows": 5})
    )


class SurveyForm(forms.Form):
    """One field per question: `q<id>`."""

    def __init__(self, page, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(page.questions.all())
        for question in self.questions:
            name = f"q{question.pk}"
            options = list(enumerate(question.options))
            if question.kind == SurveyQuestion.Kind.SINGLE:
                field = forms.TypedChoiceField(
                    choices=options, coerce=int, widget=forms.RadioSelect
                )
            elif question.kind == SurveyQuestion.Kind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=options, coerce=int, widget=forms.CheckboxSelectMultiple
                )
            elif question.kind == SurveyQuestion.Kind.RATING:
                field = forms.TypedChoiceField(
                    choices=options, coerce=int, widget=forms.RadioSelect
                )
            else:
                field = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
            field.label = question.text
            field.required = question.required
            self.fields[name] = field

    def answers(self) -> list[tuple]:
        """(question, chosen option indices, text) for every answered question."""
        result = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, "", []):
                continue
            if question.kind == SurveyQuestion.Kind.TEXT:
                result.append((question, [], value.strip()))
            elif isinstance(value, list):
                result.append((question, sorted(set(value)), ""))
            else:
                result.append((question, [value], ""))
        return result
