"""The review flow (I3, I4) on Wagtail's own workflow machinery, set up per site.

Groups (in the site's schema, so per site):
  编辑      editors: create and edit, submit for review — no publish permission anywhere;
  审核员    reviewers: the first approval of every item;
  保密审查员 confidentiality reviewers (保密审查): second approval of sensitive items;
  领导审批  leaders: the final approval of sensitive items.
Workflows: general = 审核 → published; sensitive = 审核 → 保密审查 → 领导审批 → published.
ReviewRoute maps a grade to its workflow; DisclosureItem.get_workflow() follows it. Every
other page below the home page gets the general workflow, so nothing reaches the public
without a reviewer's approval (webmasters excepted: they are the site's superusers).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import ReviewRoute

EDITOR, REVIEWER, CONFIDENTIALITY_REVIEWER, LEADER = "编辑", "审核员", "保密审查员", "领导审批"
TASKS = {"审核": REVIEWER, "保密审查": CONFIDENTIALITY_REVIEWER, "领导审批": LEADER}
GENERAL_WORKFLOW = "一般信息：审核后发布"
SENSITIVE_WORKFLOW = "敏感信息：审核、保密审查、领导审批后发布"
WORKFLOW_STEPS = {GENERAL_WORKFLOW: ["审核"], SENSITIVE_WORKFLOW: ["审核", "保密审查", "领导审批"]}

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]  # never publish_page
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
]


def site_home():
    return Page.objects.filter(depth=2).order_by("path").first()


@transaction.atomic
def ensure_review_workflows() -> dict:
    """Groups, approval tasks, workflows and grade routes of this site's schema. Idempotent:
    it fills in what is missing and leaves what an operator changed alone."""
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in (EDITOR, REVIEWER, CONFIDENTIALITY_REVIEWER, LEADER)
    }
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for group in groups.values():
        group.permissions.add(access_admin)

    home = site_home()
    editor = groups[EDITOR]
    if home is not None:
        for codename in EDITOR_PAGE_PERMISSIONS:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=editor, page=home, permission=permission
            )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(
            group=editor, collection=root_collection, permission=permission
        )

    tasks = {}
    for name, group_name in TASKS.items():
        task = GroupApprovalTask.objects.filter(name=name).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=name)
            task.groups.set([groups[group_name]])
        tasks[name] = task

    workflows = {}
    for name, steps in WORKFLOW_STEPS.items():
        workflow, created = Workflow.objects.get_or_create(name=name)
        if created:
            for order, step in enumerate(steps):
                WorkflowTask.objects.create(workflow=workflow, task=tasks[step], sort_order=order)
        workflows[name] = workflow

    for grade, name in [
        (ReviewRoute.Grade.GENERAL, GENERAL_WORKFLOW),
        (ReviewRoute.Grade.SENSITIVE, SENSITIVE_WORKFLOW),
    ]:
        ReviewRoute.objects.get_or_create(grade=grade, defaults={"workflow": workflows[name]})
    if home is not None and not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflows[GENERAL_WORKFLOW])
    return {"groups": groups, "tasks": tasks, "workflows": workflows}
