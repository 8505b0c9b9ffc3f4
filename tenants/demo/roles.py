"""Demo data for the security area: one person per role on a demo site, and responsibility
records, so a visitor of the demo can try each role. Called by the lead's seed_demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from security.roles import roles_for

# username per role (the webmaster exists already: provisioning made it)
DEMO_USERS = {
    "编辑": "editor", "审核员": "reviewer", "保密审查员": "secrecy", "外包运维": "vendor",
    "审计员": "auditor", "市级编审": "curator",
}


def responsibility(site: dict) -> dict:
    """Fictional responsibility fields for a demo site (tenants/demo/city.py entry)."""
    return {
        "responsible_leader": f"{site['short_name']}分管副职（演示）",
        "responsible_leader_phone": site.get("contact_phone", "0473-0000000"),
        "operator_unit": site.get("operator_unit") or f"{site['short_name']}办公室",
        "operator_contact": "网站运维负责人（演示）",
        "operator_contact_phone": site.get("contact_phone", "0473-0000000"),
    }


def seed(website, password: str) -> list[tuple[str, str]]:
    """Create the demo role accounts on `website` (idempotent); returns (username, role)."""
    created = []
    with schema_context(website.schema_name):
        user_model = get_user_model()
        for role in roles_for(website.kind):
            username = DEMO_USERS.get(role)
            if not username:
                continue
            user, new = user_model.objects.get_or_create(username=username, defaults={"first_name": role})
            if new:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            created.append((username, role))
    return created
