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

from security.roles import CONSOLE_OPERATOR as CONSOLE_OPERATOR_ROLE
from security.roles import CONSOLE_SECURITY_AUDITOR, ensure_console_roles
from sites.core.models import ArticlePage, ColumnPage, HomePage
from tenants import services
from tenants.demo import roles as security_demo
from tenants.demo.city import SITES

DEMO_PASSWORD = "Wuhai-Demo-2026"  # noqa: S105 (the demo's published password)
CONSOLE_OPERATOR = "operator"
CONSOLE_AUDITOR = "secaudit"
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
            self._record_responsibility(website, spec)
            security_demo.seed(website, DEMO_PASSWORD)
            self._leader(website)
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
        roles = ensure_console_roles()
        for username, role, name in ((CONSOLE_OPERATOR, CONSOLE_OPERATOR_ROLE, "平台运维"),
                                     (CONSOLE_AUDITOR, CONSOLE_SECURITY_AUDITOR, "安全审计")):
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(username, password=DEMO_PASSWORD,
                                                      first_name=name)
            user.groups.add(roles[role])

    def _leader(self, website):
        """A leader (领导审批) account, so the sensitive-document workflow can be walked."""
        from django.contrib.auth.models import Group

        from sites.disclosure.workflows import LEADER

        with schema_context(website.schema_name):
            user_model = get_user_model()
            user, new = user_model.objects.get_or_create(username="leader",
                                                         defaults={"first_name": LEADER})
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
            group = Group.objects.filter(name=LEADER).first()
            if group:
                user.groups.add(group)

    def _record_responsibility(self, website, spec):
        """Responsible leader and operating unit on record (Z3, O1): a site needs them."""
        fields = security_demo.responsibility(spec)
        missing = {k: v for k, v in fields.items() if not getattr(website, k)}
        if missing:
            for name, value in missing.items():
                setattr(website, name, value)
            website.save(update_fields=list(missing))

    def _provision(self, spec, parent):
        fields = {k: spec[k] for k in ("site_code", "icp_number", "sponsor_unit", "operator_unit",
                                       "contact_phone", "contact_email", "address", "languages")}
        fields.update(security_demo.responsibility(spec))
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
          f"login {CONSOLE_OPERATOR} (operator) or {CONSOLE_AUDITOR} (security auditor) / {DEMO_PASSWORD}")
        w("")
        w(f"  {'SITE':<26}{'URL':<34}WEBMASTER LOGIN (admin at /admin/)")
        for key, website in by_key.items():
            url = f"http://{website.primary_domain}{suffix}/"
            w(f"  {website.legal_name:<20}{url:<34}{webmaster_username(key)} / {DEMO_PASSWORD}")
        w("")
        roles = ", ".join([*security_demo.DEMO_USERS.values(), "leader"])
        w(f"  On every site, one account per role too ({roles}), same password.")
        if getattr(settings, "TWO_FACTOR_ENFORCED", False):
            w("  Webmasters and console operators enrol an authenticator app (TOTP) at first sign-in;")
            w("  TWO_FACTOR_ENFORCED=0 make run skips that for a quick look.")
        w("  *.localhost names resolve to 127.0.0.1 in browsers and curl. Ctrl-C stops the server.")
        w("")
