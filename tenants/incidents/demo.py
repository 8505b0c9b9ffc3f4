"""Demo incident for the demo city (DEMO_CITY_SEEDERS): one defacement of 交通局's home page,
reported by monitoring, acknowledged and handled by its webmaster, waiting for the platform to
close it — so the site's admin, its dashboard and the console show the plan's steps. Made
through the services (audited, notified) like a real one. Idempotent."""

from ..models import Website
from . import services

DEMO_SITE = "jtj"
REFERENCE = "demo.defacement"


def seed(schema: str = DEMO_SITE) -> dict:
    website = Website.objects.sites().filter(schema_name=schema).first()
    if website is None:
        return {}
    incident, created = services.report(
        website,
        "defacement",
        "首页内容发生未知变更（疑似篡改）",
        level="III",
        observed="两次探测之间首页正文改变，期间没有任何信息发布、撤下或广播；首页出现与本站无关的链接。",
        source="monitoring",
        reference=REFERENCE,
        evidence_path="/admin/monitoring/#alerts",
        actor="网站监测",
    )
    if not created:
        return {}
    incident = services.acknowledge(incident, f"{website.short_name}·webmaster")
    services.handle(
        incident,
        f"{website.short_name}·webmaster",
        "从最近的备份恢复首页；修改后台全部账号密码；检查上传目录，未发现后门文件。",
    )
    return {"incident": incident.number}
