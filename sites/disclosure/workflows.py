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
    it fills in what is missing and leaves what an operator changed alone. Each kind of row
    is read once and what is missing written together (it runs for every new site)."""
    names = (EDITOR, REVIEWER, CONFIDENTIALITY_REVIEWER, LEADER)
    existing = {group.name: group for group in Group.objects.filter(name__in=names)}
    # New groups one by one: the trail records each (group.create), as for any group.
    groups = {name: existing.get(name) or Group.objects.create(name=name) for name in names}
    wanted = [("wagtailadmin", "access_admin")]
    wanted += [("wagtailcore", codename) for codename in EDITOR_PAGE_PERMISSIONS]
    wanted += EDITOR_COLLECTION_PERMISSIONS
    permissions = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        )
    }
    access_admin = permissions["wagtailadmin", "access_admin"]
    with_access = set(
        Group.objects.filter(
            pk__in=[g.pk for g in groups.values()], permissions=access_admin
        ).values_list("pk", flat=True)
    )
    for group in groups.values():
        if group.pk not in with_access:  # recorded (group.permissions) by the m2m signal
            group.permissions.add(access_admin)

    home = site_home()
    editor = groups[EDITOR]
    if home is not None:
        granted = set(
            GroupPagePermission.objects.filter(group=editor, page=home).values_list(
                "permission_id", flat=True
            )
        )
        for codename in EDITOR_PAGE_PERMISSIONS:
            permission = permissions["wagtailcore", codename]
            if permission.pk not in granted:
                GroupPagePermission.objects.create(group=editor, page=home, permission=permission)
    root_collection = Collection.get_first_root_node()
    granted = set(
        GroupCollectionPermission.objects.filter(
            group=editor, collection=root_collection
        ).values_list("permission_id", flat=True)
    )
    for key in EDITOR_COLLECTION_PERMISSIONS:
        if permissions[key].pk not in granted:
            GroupCollectionPermission.objects.create(
                group=editor, collection=root_collection, permission=permissions[key]
            )

    tasks = {task.name: task for task in GroupApprovalTask.objects.filter(name__in=TASKS)}
    for name, group_name in TASKS.items():
        if name not in tasks:
            tasks[name] = GroupApprovalTask.objects.create(name=name)
            tasks[name].groups.set([groups[group_name]])

    workflows = {w.name: w for w in Workflow.objects.filter(name__in=WORKFLOW_STEPS)}
    steps = []
    for name, task_names in WORKFLOW_STEPS.items():
        if name not in workflows:
            workflows[name] = Workflow.objects.create(name=name)
            steps += [
                WorkflowTask(workflow=workflows[name], task=tasks[step], sort_order=order)
                for order, step in enumerate(task_names)
            ]
    WorkflowTask.objects.bulk_create(steps)

    routed = set(ReviewRoute.objects.values_list("grade", flat=True))
    ReviewRoute.objects.bulk_create(
        ReviewRoute(grade=grade, workflow=workflows[name])
        for grade, name in [
            (ReviewRoute.Grade.GENERAL, GENERAL_WORKFLOW),
            (ReviewRoute.Grade.SENSITIVE, SENSITIVE_WORKFLOW),
        ]
        if grade not in routed
    )
    if home is not None and not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflows[GENERAL_WORKFLOW])
    return {"groups": groups, "tasks": tasks, "workflows": workflows}
