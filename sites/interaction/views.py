"""The public side of surveys and interviews (the routes of their page types).

The page cache stores a page only when its response carries no token, no cookie and no
nonce (pagecache.policy.storable): forms with a CSRF token are rendered for each visitor,
the board's and the interview's own pages (lists, transcript) are shared copies and link to
their forms on a sub-URL, which the cache never stores.
"""

from django.core import signing
from django.core.cache import cache
from django.http import HttpResponseNotModified, JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from . import services
from .forms import InterviewQuestionForm, SurveyForm
from .services import SubmissionRefused

VOTER_SALT = "interaction.survey.voter"
VOTER_MAX_AGE = 60 * 60 * 24 * 365


def _voter(page, request) -> str | None:
    """The signed voter id this browser holds for this survey, if any."""
    try:
        return request.get_signed_cookie(
            services.voter_cookie_name(page), salt=VOTER_SALT, max_age=VOTER_MAX_AGE
        )
    except (KeyError, signing.BadSignature):
        return None


def survey_page(page, request):
    context = {"page": page, "self": page}
    state = page.state
    voter = _voter(page, request)
    already = voter is not None and page.responses.filter(voter=voter).exists()
    context.update(state=state, already=already)
    if state == "closed":
        if page.results_public:
            context["summary"] = services.summary(page)
        if page.is_solicitation:
            context["adopted"] = services.comments(page, adopted_only=True)
            context["comment_total"] = services.comments(page).count()
        return TemplateResponse(request, page.get_template(request), context)
    if state == "upcoming" or already:
        response = TemplateResponse(request, page.get_template(request), context)
        # Not shared: the form appears at the opening time and this browser's answer is its own.
        patch_cache_control(response, private=True, max_age=60)
        return response

    form = SurveyForm(page, request.POST or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        voter = voter or services.new_voter()
        try:
            services.submit_survey(page, request, voter, form.answers())
        except SubmissionRefused as refused:
            form.add_error(None, str(refused))
        else:
            response = TemplateResponse(
                request,
                "interaction/submitted.html",
                {"page": page, "what": "答卷", "number": None, "back": page.url},
            )
            response.set_signed_cookie(
                services.voter_cookie_name(page),
                voter,
                salt=VOTER_SALT,
                max_age=VOTER_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    return TemplateResponse(request, page.get_template(request), context)


def survey_results(page, request):
    """Public results once the survey has closed (if the editor allows it)."""
    if page.state != "closed" or not page.results_public:
        return TemplateResponse(
            request,
            "interaction/survey_results.html",
            {"page": page, "summary": None},
            status=404,
        )
    return TemplateResponse(
        request,
        "interaction/survey_results.html",
        {"page": page, "summary": services.summary(page)},
    )


def interview_ask(page, request):
    form = InterviewQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.submit_question(page, request, **form.cleaned_data)
        except SubmissionRefused as refused:
            form.add_error(None, str(refused))
        else:
            return TemplateResponse(
                request,
                "interaction/submitted.html",
                {"page": page, "what": "提问", "number": question.pk, "back": page.url},
            )
    return TemplateResponse(request, "interaction/interview_ask.html", {"page": page, "form": form})


def interview_transcript(page, request):
    """The live transcript as JSON, for browsers polling with If-None-Match.

    The ETag is the page's transcript version (on the page row the route already loaded), so
    an unchanged transcript answers 304 without another query; a changed one is rendered once
    per version and process and shared from the cache (the key carries schema and version).
    """
    etag = f'"t{page.pk}-{page.transcript_version}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        key = f"interaction:transcript:{page.pk}:{page.transcript_version}"
        payload = cache.get(key)
        if payload is None:
            payload = services.transcript_payload(page)
            cache.set(key, payload, 3600)
        response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    # The page cache may keep it (the page type lists "transcript/" in pagecache_subpaths and
    # the page is purged on every change); it needs to know which page this is.
    response.context_data = {"page": page}
    return response
