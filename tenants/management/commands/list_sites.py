import json

from django.core.management.base import BaseCommand

from tenants import services


class Command(BaseCommand):
    help = "List every site: schema, kind, domains, status, legal name."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **opts):
        rows = [
            {
                "schema": site.schema_name,
                "kind": site.kind,
                "domains": [d.domain for d in site.domains.all()],
                "status": site.status,
                "legal_name": site.legal_name,
            }
            for site in services.sites()
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No sites yet. Create one with: manage.py provision_site --help")
            return
        widths = (16, 11, 34, 10)
        header = ("SCHEMA", "KIND", "DOMAINS", "STATUS", "LEGAL NAME")
        self.stdout.write(
            "".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + header[-1]
        )
        for r in rows:
            cells = (r["schema"], r["kind"], ",".join(r["domains"]), r["status"])
            self.stdout.write(
                "".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)) + r["legal_name"]
            )
