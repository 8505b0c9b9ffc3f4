import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants import services
from tenants.models import Website


class Command(BaseCommand):
    help = "Create a working site: schema (cloned), home page, columns, Site row, webmaster."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=[k.value for k in Website.SITE_KINDS])
        parser.add_argument("--name", required=True, help="法定名称, e.g. 海勃湾区人民政府")
        parser.add_argument("--short-name", required=True)
        parser.add_argument("--domain", required=True, help="e.g. hbw.example.gov.cn")
        parser.add_argument("--schema", help="schema name (default: from the domain's first label)")
        parser.add_argument("--parent", help="schema name of the parent body's site")
        parser.add_argument("--site-code", default="", help="网站标识码")
        parser.add_argument("--icp", default="", help="ICP备案号")
        parser.add_argument("--sponsor", default="", help="主办单位")
        parser.add_argument("--operator", default="", help="承办单位")
        parser.add_argument("--leader", default="", help="主管领导 (required to activate the site)")
        parser.add_argument("--leader-phone", default="", help="主管领导电话")
        parser.add_argument("--operator-contact", default="", help="承办单位负责人")
        parser.add_argument("--operator-contact-phone", default="", help="承办单位负责人电话")
        parser.add_argument("--webmaster", default="webmaster", help="first webmaster's username")

    def handle(self, *args, **opts):
        parent = None
        try:
            if opts["parent"]:
                parent = services.get_site(opts["parent"])
            services.ensure_platform()
            started = time.perf_counter()
            result = services.provision_site(
                kind=opts["kind"],
                legal_name=opts["name"],
                short_name=opts["short_name"],
                domain=opts["domain"],
                schema_name=opts["schema"],
                parent=parent,
                site_code=opts["site_code"],
                icp_number=opts["icp"],
                sponsor_unit=opts["sponsor"],
                operator_unit=opts["operator"],
                responsible_leader=opts["leader"],
                responsible_leader_phone=opts["leader_phone"],
                operator_contact=opts["operator_contact"],
                operator_contact_phone=opts["operator_contact_phone"],
                webmaster_username=opts["webmaster"],
            )
        except ValidationError as exc:
            lines = [f"  {field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Site not created:\n" + "\n".join(lines)) from None
        except services.ProvisioningError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        site = result.website
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {site.legal_name} ({site.get_kind_display()}) in {elapsed:.1f} s"
            )
        )
        self.stdout.write(f"  schema:    {site.schema_name}")
        self.stdout.write(f"  site:      http://{site.primary_domain}/  admin: /admin/")
        self.stdout.write(f"  webmaster: {result.webmaster_username}")
        self.stdout.write(
            f"  password:  {result.webmaster_password}   (shown once: hand it over now)"
        )
        if site.missing_responsibility():
            self.stdout.write(
                self.style.WARNING(
                    f"  missing:   {'、'.join(site.missing_responsibility())} — record them in the console;"
                    " until then the site cannot be re-activated once suspended."
                )
            )
