"""Private storage of case files: a folder per case under CASEWORK_FILES_ROOT, outside
MEDIA_ROOT, so no web server or MEDIA_URL route ever serves them. The views in views.py and
admin_views.py stream a file after checking number + query code or the handler's site.
"""

import hashlib
import shutil
import uuid
from pathlib import Path

from django.conf import settings

from .models import CaseAttachment
from .uploads import check_upload


def root() -> Path:
    return Path(settings.CASEWORK_FILES_ROOT)


def case_folder(case) -> Path:
    return root() / f"{case.opened_at:%Y}" / case.number


def save(case, upload, *, label="", site=None, step=None, is_result=False, public=True):
    """Check `upload` (uploads.check_upload) and keep it with the case."""
    file_type = check_upload(upload)
    folder = case_folder(case)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}.{file_type.extension}"
    digest = hashlib.sha256()
    upload.seek(0)
    with stored.open("wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(upload.read, b""):
            digest.update(chunk)
            out.write(chunk)
    original = Path(getattr(upload, "name", "") or "").name
    stem = original.rsplit(".", 1)[0] if "." in original else original
    return CaseAttachment.objects.create(
        case=case,
        step=step,
        site=site,
        label=(label or "")[:200],
        name=f"{stem[:150] or '附件'}.{file_type.extension}",
        path=str(stored.relative_to(root())),
        size=stored.stat().st_size,
        content_type=file_type.content_type,
        sha256=digest.hexdigest(),
        is_result=is_result,
        public=public,
    )


def path_of(attachment: CaseAttachment) -> Path:
    path = (root() / attachment.path).resolve()
    if root().resolve() not in path.parents:  # a row can only name a file under the root
        raise FileNotFoundError(attachment.path)
    return path


def delete_case_files(case) -> None:
    shutil.rmtree(case_folder(case), ignore_errors=True)
