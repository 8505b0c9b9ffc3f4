"""Seed the demo city (乌海市): portal, districts, departments, real-looking content.

Idempotent: a second run adds nothing that is already there and finishes in a second.
"""

import datetime
import importlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context
from wagtail.models import Site

from sites.core.models import ArticlePage, ColumnPage, HomePage
from tenants import services
from tenants.demo.city import SITES

DEMO_PASSWORD = "Wuhai-Demo-2026"  # noqa: S105 (the demo's published password)
CONSOLE_OPERATOR = "operator"
# Other apps add their own demo content: each is called with the site's Website, inside its
# schema, and must be idempotent.
DEMO_SEEDERS = ["sites.disclosure.demo.seed"]
# …and, once every site exists, what crosses sites (called with no arguments, idempotent).
CITY_SEEDERS = ["federation.syndication.demo.seed"]


def webmaster_username(key: str) -> str:
    return f"{key}_admin"


def demo_domain(key: str) -> str:
    return f"{key}.localhost"


class Command(BaseCommand):
    help = "Create the demo city's sites and content (idempotent), then print URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="do not print the site list")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        services.ensure_platform()
        self._console_operator()
        by_key = {}
        for number, spec in enumerate(SITES, 1):
            website = services.sites().filter(schema_name=spec["key"]).first()
            if website is None:
                self.stdout.write(f"[{number}/{len(SITES)}] creating {spec['legal_name']} …")
                website = self._provision(spec, by_key.get(spec["parent"]))
            by_key[spec["key"]] = website
            with schema_context(website.schema_name):
                added = self._seed_articles(website, spec)
                self._fix_site_port()
                for path in DEMO_SEEDERS:
                    import_string(path)(website)
            if added:
                self.stdout.write(f"[{number}/{len(SITES)}] {spec['short_name']}: {added} articles published")
        connection.set_schema_to_public()
        for path in CITY_SEEDERS:
            import_string(path)()
            connection.set_schema_to_public()
        self.stdout.write(self.style.SUCCESS(
            f"Demo city ready ({time.perf_counter() - started:.1f} s)."))
        if not opts["quiet"]:
            self._print_guide(by_key)

    def _console_operator(self):
        user_model = get_user_model()
        if not user_model.objects.filter(username=CONSOLE_OPERATOR).exists():
            user_model.objects.create_user(CONSOLE_OPERATOR, password=DEMO_PASSWORD, is_staff=True,
                                           first_name="平台运维")

    def _provision(self, spec, parent):
        fields = {k: spec[k] for k in ("site_code", "icp_number", "sponsor_unit", "operator_unit",
                                       "contact_phone", "contact_email", "address", "languages")}
        return services.provision_site(
            kind=spec["kind"], legal_name=spec["legal_name"], short_name=spec["short_name"],
            domain=demo_domain(spec["key"]), schema_name=spec["key"], parent=parent,
            webmaster_username=webmaster_username(spec["key"]), webmaster_password=DEMO_PASSWORD,
            **fields,
        ).website

    @transaction.atomic
    def _seed_articles(self, website, spec):
        home = HomePage.objects.get()
        if spec.get("motto") and home.motto != spec["motto"]:
            home.motto = spec["motto"]
            home.save_revision().publish()
        articles = importlib.import_module(f"tenants.demo.articles.{spec['key']}").ARTICLES
        columns = {c.slug: c for c in ColumnPage.objects.all()}
        existing = set(ArticlePage.objects.values_list("title", flat=True))
        added = 0
        for item in sorted(articles, key=lambda a: a["date"]):
            if item["title"] in existing:
                continue
            page = ArticlePage(
                title=item["title"], date=datetime.date.fromisoformat(item["date"]),
                source=item["source"], summary=item["summary"],
                body=[("paragraph", "".join(f"<p>{escape(p)}</p>" for p in item["paragraphs"]))],
            )
            columns[item["column"]].add_child(instance=page)
            page.save_revision().publish()
            added += 1
        return added

    def _fix_site_port(self):
        Site.objects.exclude(port=settings.SITE_PUBLIC_PORT).update(port=settings.SITE_PUBLIC_PORT)

    def _print_guide(self, by_key):
        port = settings.SITE_PUBLIC_PORT
        suffix = "" if port == 80 else f":{port}"
        w = self.stdout.write
        w("")
        w(f"  Platform console   http://{settings.CONSOLE_HOST}{suffix}/   "
          f"login {CONSOLE_OPERATOR} / {DEMO_PASSWORD}")
        w("")
        w(f"  {'SITE':<26}{'URL':<34}WEBMASTER LOGIN (admin at /admin/)")
        for key, website in by_key.items():
            url = f"http://{website.primary_domain}{suffix}/"
            w(f"  {website.legal_name:<20}{url:<34}{webmaster_username(key)} / {DEMO_PASSWORD}")
        w("")
        w("  *.localhost names resolve to 127.0.0.1 in browsers and curl. Ctrl-C stops the server.")
        w("")
