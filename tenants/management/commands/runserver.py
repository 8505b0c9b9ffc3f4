"""`runserver` (make run) whose static-file handler answers 404 to a path that leaves /static/.

Django's own handler (django.contrib.staticfiles) lets the finders' SuspiciousFileOperation
escape for `/static/../..`, and the development server answers 500. Production serves static
files through WhiteNoise, which never looks outside its folders.
"""

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.contrib.staticfiles.management.commands.runserver import Command as StaticCommand
from django.core.exceptions import SuspiciousOperation
from django.http import Http404


class SafeStaticFilesHandler(StaticFilesHandler):
    def serve(self, request):
        try:
            return super().serve(request)
        except SuspiciousOperation as error:
            raise Http404("文件不存在") from error


class Command(StaticCommand):
    def get_handler(self, *args, **options):
        handler = super().get_handler(*args, **options)
        if isinstance(handler, StaticFilesHandler):
            return SafeStaticFilesHandler(handler.application)
        return handler
