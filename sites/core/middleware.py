"""The admin speaks the platform's language (zh-Hans) whatever the browser asks for.

LocaleMiddleware follows Accept-Language, and Wagtail uses the request's language for every
user who has not chosen one in their account: a browser set to English turned the admin
half English. In the admin the default is settings.LANGUAGE_CODE; a user who picks another
language in 账号 → 首选语言 still gets it (Wagtail applies the preference itself).
"""

from django.conf import settings
from django.utils import translation

ADMIN_PREFIX = "/admin/"


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
