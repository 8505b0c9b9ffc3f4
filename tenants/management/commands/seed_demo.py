"""Seed the demo city (乌海市): portal, districts, departments, and their content, read from
the data files in tenants/demo/ (its README explains them).

Per site: provisioning (first run only), demo accounts, then the site's new pages written in
bulk in one transaction (tenants/demo/pages.py). Then, once, the DEMO_CITY_SEEDERS: the library
projects every site's new pages, search builds its index, syndication sets up its demo.
Idempotent: a second run adds nothing and takes a second or two. The closing line gives the
seconds per phase, so whoever adds demo content sees what it costs.
"""

import time
from collections import defaultdict
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context
from wagtail.models import Site

from security.audit.services import record
from security.roles import CONSOLE_OPERATOR as CONSOLE_OPERATOR_ROLE
from security.roles import CONSOLE_SECURITY_AUDITOR, ensure_console_roles
from sites.core.models import HomePage
from sites.disclosure.workflows import LEADER
from tenants import services
from tenants.demo import roles as security_demo
from tenants.demo.content import DEMO_DIR, DemoDataError, content_for, load_city
from tenants.demo.pages import seed_pages

DEMO_PASSWORD = "Wuhai-Demo-2026"  # noqa: S105 (the demo's published password)
CONSOLE_OPERATOR = "operator"
CONSOLE_AUDITOR = "secaudit"
DATA_HELP = "The demo's data files are in tenants/demo/ (README.md there explains every key)."


def webmaster_username(key: str) -> str:
    return f"{key}_admin"


def demo_domain(key: str) -> str:
    return f"{key}.localhost"


class Phases:
    """Seconds spent per phase, summed over sites: `with phases("pages"): …`."""

    def __init__(self):
        self.seconds = defaultdict(float)

    @contextmanager
    def __call__(self, name):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started

    def report(self, pages: int) -> str:
        parts = []
        for name, seconds in self.seconds.items():
            part = f"{name} {seconds:.1f} s"
            if name == "pages" and pages:
                part += f" ({pages} pages, {seconds * 1000 / pages:.1f} ms each)"
            parts.append(part)
        return " · ".join(parts)


class Command(BaseCommand):
    help = "Create the demo city's sites and content (idempotent), then print URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="do not print the site list")
        parser.add_argument(
            "--data",
            type=Path,
            default=DEMO_DIR,
            metavar="DIR",
            help="another directory of data files, laid out as tenants/demo/",
        )

    def handle(self, *args, **opts):
        started = time.perf_counter()
        phases = Phases()
        try:
            city = load_city(opts["data"])
        except DemoDataError as exc:
            raise CommandError(f"{exc}\n{DATA_HELP}") from None
        try:
            services.ensure_platform()
        except DatabaseError as exc:
            raise CommandError(
                f"the database is not ready ({str(exc).strip()}): run "
                "`manage.py setup_platform` first (make run does)"
            ) from None
        # hashed when an account is first made (PBKDF2, ~0.5 s), once per run
        password_hash = partial(security_demo.password_hash, DEMO_PASSWORD)
        self._console_operator(password_hash)
        by_key, written = {}, 0
        for number, site in enumerate(city.sites, 1):
            spec, step = site.registry, f"[{number}/{len(city.sites)}]"
            website = services.sites().filter(schema_name=site.key).first()
            if website is None:
                self.stdout.write(f"{step} creating {spec['legal_name']} …")
                with phases("provisioning"):
                    website = self._provision(spec, by_key.get(spec.get("parent")), password_hash)
            by_key[site.key] = website
            with phases("accounts"):
                self._record_responsibility(website, spec)
                security_demo.seed(website, DEMO_PASSWORD)
                self._leader(website, password_hash)
            with phases("pages"), schema_context(website.schema_name):
                self._motto(spec)
                self._fix_site_port()
                try:
                    pages = seed_pages(website, content_for(website, site, city.every_site))
                except DemoDataError as exc:
                    raise CommandError(
                        f"{exc}\nNothing of {website.short_name} was written (the sites before it "
                        f"are kept): fix the entry and run again. {DATA_HELP}"
                    ) from None
                if pages:
                    record(
                        "demo.seeded",
                        schema_name=website.schema_name,
                        object_type="tenants.website",
                        object_id=website.pk,
                        object_repr=website.legal_name,
                        changes={"pages": len(pages)},
                        message="演示内容导入（seed_demo）",
                    )
            written += len(pages)
            news = f"{len(pages)} pages" if pages else "up to date"
            self.stdout.write(f"{step} {website.short_name}: {news}")
        connection.set_schema_to_public()
        for path in settings.DEMO_CITY_SEEDERS:
            with phases(path.split(".")[-3]):  # federation.library.demo.seed: "library"
                result = import_string(path)()
            connection.set_schema_to_public()
            if written and result:
                self.stdout.write(
                    f"  {path.rsplit('.', 2)[0]}: "
                    + ", ".join(f"{k} {v}" for k, v in result.items())
                )
        self.stdout.write(
            self.style.SUCCESS(f"Demo city ready ({time.perf_counter() - started:.1f} s).")
        )
        if written:
            self.stdout.write(f"  seconds per phase: {phases.report(written)}")
        if not opts["quiet"]:
            self._print_guide(by_key)

    def _console_operator(self, password_hash):
        user_model = get_user_model()
        roles = ensure_console_roles()
        for username, role, name in (
            (CONSOLE_OPERATOR, CONSOLE_OPERATOR_ROLE, "平台运维"),
            (CONSOLE_AUDITOR, CONSOLE_SECURITY_AUDITOR, "安全审计"),
        ):
            user, _ = user_model.objects.get_or_create(
                username=username, defaults={"password": password_hash, "first_name": name}
            )
            user.groups.add(roles[role])

    def _leader(self, website, password_hash):
        """A leader (领导审批) account, so the sensitive-document workflow can be walked."""
        with schema_context(website.schema_name):
            user, _ = get_user_model().objects.get_or_create(
                username="leader", defaults={"first_name": LEADER, "password": password_hash}
            )
            group = Group.objects.filter(name=LEADER).first()
            if group:
                user.groups.add(group)
            security_demo.give_addresses(website)

    def _record_responsibility(self, website, spec):
        """Responsible leader and operating unit on record (Z3, O1): a site needs them."""
        fields = security_demo.responsibility(spec)
        missing = {k: v for k, v in fields.items() if not getattr(website, k)}
        if missing:
            for name, value in missing.items():
                setattr(website, name, value)
            website.save(update_fields=list(missing))

    def _provision(self, spec, parent, password_hash):
        fields = {
            k: spec[k]
            for k in (
                "site_code",
                "icp_number",
                "police_record_number",
                "sponsor_unit",
                "operator_unit",
                "contact_phone",
                "contact_email",
                "address",
                "languages",
            )
            if k in spec
        }
        fields.update(security_demo.responsibility(spec))
        try:
            return services.provision_site(
                kind=spec["kind"],
                legal_name=spec["legal_name"],
                short_name=spec["short_name"],
                domain=demo_domain(spec["key"]),
                schema_name=spec["key"],
                parent=parent,
                webmaster_username=webmaster_username(spec["key"]),
                webmaster_password=DEMO_PASSWORD,
                webmaster_password_hash=password_hash(),
                **fields,
            ).website
        except Exception as exc:
            raise CommandError(
                f"sites/{spec['key']}.yaml: provisioning {spec['legal_name']} "
                f"failed: {exc}\nFix the `site:` entry and run again. "
                f"{DATA_HELP}"
            ) from exc

    def _motto(self, spec):
        """The home page's tagline, on a fresh site only (an editor's own is kept)."""
        if spec.get("motto"):
            HomePage.objects.filter(motto="", has_unpublished_changes=False).update(
                motto=spec["motto"]
            )

    def _fix_site_port(self):
        Site.objects.exclude(port=settings.SITE_PUBLIC_PORT).update(port=settings.SITE_PUBLIC_PORT)

    def _print_guide(self, by_key):
        port = settings.SITE_PUBLIC_PORT
        suffix = "" if port == 80 else f":{port}"
        w = self.stdout.write
        w("")
        w(
            f"  Platform console   http://{settings.CONSOLE_HOST}{suffix}/   "
            f"login {CONSOLE_OPERATOR} (operator) or {CONSOLE_AUDITOR} (security auditor) / {DEMO_PASSWORD}"
        )
        w("")
        w(f"  {'SITE':<26}{'URL':<34}WEBMASTER LOGIN (admin at /admin/)")
        for key, website in by_key.items():
            url = f"http://{website.primary_domain}{suffix}/"
            w(f"  {website.legal_name:<20}{url:<34}{webmaster_username(key)} / {DEMO_PASSWORD}")
        w("")
        roles = ", ".join([*security_demo.DEMO_USERS.values(), "leader"])
        w(f"  On every site, one account per role too ({roles}), same password.")
        if getattr(settings, "TWO_FACTOR_ENFORCED", False):
            w(
                "  Webmasters and console operators enrol an authenticator app (TOTP) at first sign-in;"
            )
            w("  TWO_FACTOR_ENFORCED=0 make run skips that for a quick look.")
        w("  *.localhost names resolve to 127.0.0.1 in browsers and curl. Ctrl-C stops the server.")
        w("")
