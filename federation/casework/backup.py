"""A site's cases in its backup (tenants.backup, `SITE_BACKUP_PARTS`).

Cases live in the public schema and cross sites, so a site's archive holds what is the site's:

- every case it leads, whole: the case, every department's task, every step and file (the
  lead answers for the case and sees every part of it);
- of the cases others lead, its own tasks, the steps it made or that concern its tasks, and
  the files it added.

Files are copied from CASEWORK_FILES_ROOT under their stored paths. Rows name sites by schema,
never by id: a restored site gets a new registry id.

Restore (only when the site comes back under its own name; a copy restored beside the live
site for inspection must not become a handler of live cases) adds back what is missing and
changes nothing that exists:

- a case it led that no longer exists is recreated whole, with the other departments' tasks
  whose sites exist;
- on a case that still exists (another site leads it, or it was never lost), only this
  site's own tasks, steps and files come back; other sites' tasks are not touched.

A row already there (same case, site, action and time) is not added twice, so restoring the
same archive twice changes nothing. Archives hold applicants' personal data: they are kept
like the database's own backups.
"""

import json
import shutil
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from tenants.models import Website

from . import storage
from .models import Case, CaseAttachment, CaseStep, CaseTask

CASES_FILE = "cases.json"
FILES_DIR = "files"

# Fields written as site schema names, and the local references between rows.
SITE_FIELDS = {
    Case: ["lead_site"],
    CaseTask: ["site"],
    CaseStep: ["site"],
    CaseAttachment: ["site"],
}


def _row(obj, schemas: dict[int, str]) -> dict:
    """A model row as plain values: concrete fields by attribute, sites by schema name."""
    row = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.name in SITE_FIELDS.get(type(obj), ()):
            row[field.name] = schemas.get(value) if value is not None else None
        else:
            row[field.attname] = value
    return row


def backup(website: Website, folder: Path) -> dict:
    """Write the site's cases into `folder`; returns counts for the archive's manifest."""
    schemas = dict(Website.objects.values_list("pk", "schema_name"))
    cases = (
        Case.objects.filter(Q(lead_site=website) | Q(tasks__site=website)).distinct().order_by("pk")
    )
    written, files = [], 0
    for case in cases:
        leads = case.lead_site_id == website.pk
        tasks = list(case.tasks.order_by("pk") if leads else case.tasks.filter(site=website))
        own_tasks = {t.pk for t in tasks}
        steps = case.steps.order_by("pk")
        if not leads:
            steps = steps.filter(Q(site=website) | Q(task_id__in=own_tasks))
        steps = list(steps)
        attachments = case.attachments.order_by("pk")
        if not leads:
            attachments = attachments.filter(Q(site=website) | Q(step_id__in=[s.pk for s in steps]))
        attachments = list(attachments)
        for attachment in attachments:
            source = storage.path_of(attachment)
            if source.is_file():
                target = folder / FILES_DIR / attachment.path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                files += 1
        written.append(
            {
                "case": _row(case, schemas),
                "leads": leads,
                "tasks": [_row(t, schemas) for t in tasks],
                "steps": [_row(s, schemas) for s in steps],
                "attachments": [_row(a, schemas) for a in attachments],
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CASES_FILE).write_text(
        json.dumps(
            {"schema": website.schema_name, "cases": written},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=1,
        )
    )
    return {
        "cases": len(written),
        "tasks": sum(len(c["tasks"]) for c in written),
        "steps": sum(len(c["steps"]) for c in written),
        "files": files,
    }


def _values(model, row: dict, sites: dict[str, int], skip=()) -> dict:
    """Model field values from an archived row (types rebuilt by each field)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in skip:
            continue
        if field.name in SITE_FIELDS.get(model, ()):
            schema = row.get(field.name)
            values[field.attname] = sites.get(schema) if schema else None
        elif field.attname in row:
            values[field.attname] = field.to_python(row[field.attname])
    return values


def _keep_time(model, pk: int, row: dict, *names: str) -> None:
    """auto_now(_add) fields overwrite what is saved: put the archived times back."""
    model.objects.filter(pk=pk).update(
        **{name: model._meta.get_field(name).to_python(row[name]) for name in names}
    )


def restore(website: Website, folder: Path, *, from_schema: str, copy: bool) -> dict:
    """Bring back the site's cases from `folder` (see the module's rules). Runs in the
    restore's transaction; returns counts for the audit trail."""
    if copy:
        return {"skipped": "恢复为副本时不恢复办件（副本只供查看，不能参与办理）"}
    archived = json.loads((folder / CASES_FILE).read_text())
    sites = dict(Website.objects.values_list("schema_name", "pk"))
    sites[from_schema] = website.pk
    restored = {"cases": 0, "tasks": 0, "steps": 0, "files": 0, "not_restored": []}
    for entry in archived["cases"]:
        row = entry["case"]
        case = Case.objects.filter(number=row["number"]).first()
        recreated = case is None
        if recreated:
            if not entry["leads"] or sites.get(row["lead_site"]) is None:
                # Only the lead's archive holds a case whole; a department's part alone is no
                # case. Said in the audit trail so the operator restores the lead's archive.
                restored["not_restored"].append(row["number"])
                continue
            case = Case.objects.create(**_values(Case, row, sites))
            restored["cases"] += 1
        tasks = _restore_tasks(case, entry["tasks"], sites, from_schema, recreated)
        restored["tasks"] += sum(1 for _, made in tasks.values() if made)
        steps = _restore_steps(case, entry["steps"], sites, tasks)
        restored["steps"] += len(steps)
        restored["files"] += _restore_attachments(
            case, entry["attachments"], sites, steps, folder / FILES_DIR
        )
    return restored


def _restore_tasks(case, rows, sites, from_schema, recreated) -> dict[int, tuple]:
    """{archived task id: (task, newly made)} for the tasks that are this site's (or every
    department's, for a case recreated from its lead)."""
    tasks = {}
    for row in rows:
        site_id = sites.get(row["site"])
        if site_id is None or (row["site"] != from_schema and not recreated):
            continue
        created = CaseTask._meta.get_field("created_at").to_python(row["created_at"])
        existing = CaseTask.objects.filter(
            case=case, site_id=site_id, role=row["role"], created_at=created
        ).first()
        if existing:
            tasks[row["id"]] = (existing, False)
            continue
        task = CaseTask.objects.create(
            **_values(CaseTask, row, sites, skip={"case", "routed_from"}), case=case
        )
        _keep_time(CaseTask, task.pk, row, "created_at", "updated_at")
        tasks[row["id"]] = (task, True)
    for row in rows:  # routing links, once every task of the case is there
        made = tasks.get(row["id"])
        target = tasks.get(row.get("routed_from_id"))
        if made and made[1] and target:
            CaseTask.objects.filter(pk=made[0].pk).update(routed_from=target[0])
    return tasks


def _restore_steps(case, rows, sites, tasks) -> dict[int, CaseStep]:
    """{archived step id: step} of the steps restored; a step already there is left alone."""
    steps = {}
    for row in rows:
        task = tasks.get(row.get("task_id"))
        if row.get("task_id") and (task is None or not task[1]):
            continue  # the step of a task not restored here (another site's, or still there)
        if row["site"] is not None and row["site"] not in sites:
            continue  # made by a site that no longer exists
        site_id = sites.get(row["site"]) if row["site"] else None
        created = CaseStep._meta.get_field("created_at").to_python(row["created_at"])
        if CaseStep.objects.filter(
            case=case, site_id=site_id, action=row["action"], created_at=created
        ).exists():
            continue
        step = CaseStep.objects.create(
            **_values(CaseStep, row, sites, skip={"case", "task"}),
            case=case,
            task=task[0] if task else None,
        )
        _keep_time(CaseStep, step.pk, row, "created_at")
        steps[row["id"]] = step
    return steps


def _restore_attachments(case, rows, sites, steps, files: Path) -> int:
    count = 0
    for row in rows:
        if CaseAttachment.objects.filter(case=case, path=row["path"]).exists():
            continue
        if row.get("step_id") and row["step_id"] not in steps and row["site"] is not None:
            continue  # a file of a step not restored here
        source = files / row["path"]
        attachment = CaseAttachment(
            **_values(CaseAttachment, row, sites, skip={"case", "step"}),
            case=case,
            step=steps.get(row.get("step_id")),
        )
        target = storage.path_of(attachment)
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        if not target.is_file():
            continue  # the file is gone from the archive and the disk: no row naming nothing
        attachment.save()
        _keep_time(CaseAttachment, attachment.pk, row, "created_at")
        count += 1
    return count
