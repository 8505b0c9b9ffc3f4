"""Applying online (S3, S4): a form built from the item's materials, opened as one case.

The form: the applicant's name, ID number, phone and (optional) e-mail, a note, one upload per
material (required where the guide says so), consent to the use of personal data, and a
client token (a hidden field made when the form is first shown) so a double submit opens one
case. Each upload is checked by casework's `check_upload` (type by content, size). A file that
fails is named with the reason; everything else is kept: the text fields are shown again and
the files that passed wait in a holding folder under the form's token (this browser's session
only), so the applicant replaces only the file that failed.

A parallel item (并联审批) opens one case addressed to its department (the lead) and every
department the guide names, each with its own part and deadline.
"""

import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files import File

from federation.casework import services as casework
from federation.casework.errors import UploadRejected
from federation.casework.models import Case
from tenants.models import Website

KIND = "service"
CONSENT_TEXT = (
    "我同意本网站及办理部门为办理本申请收集、使用我填写的个人信息和上传的材料；"
    "这些信息仅用于办理本申请，不公开，不用于其他用途，保存期满后删除。"
)
DEFAULT_WORKING_DAYS = 20
TOKEN = re.compile(r"^[0-9a-f]{32}$")
PENDING_MAX_AGE = 24 * 3600
SESSION_KEY = "onestop_pending_tokens"
ID_NUMBER = re.compile(r"^(\d{17}[\dXx]|[A-Za-z0-9]{6,20})$")
PHONE = re.compile(r"^[\d\-+ ]{7,20}$")


def register() -> None:
    casework.register_kind(
        KIND,
        "办事申请",
        "BS",
        status_words={
            "submitted": "已提交，等待受理",
            "supplement": "需要补正材料",
            "accepted": "已受理",
            "in_progress": "审批中",
            "refused": "不予受理",
            "completed": "已办结",
        },
    )


def working_days(guide: dict) -> int:
    return int(
        guide.get("promised_limit_days")
        or guide.get("statutory_limit_days")
        or DEFAULT_WORKING_DAYS
    )


def materials(guide: dict) -> list[dict]:
    return [m for m in guide.get("materials") or [] if m.get("name")]


def new_token() -> str:
    return secrets.token_hex(16)


class ApplicationForm(forms.Form):
    name = forms.CharField(label="申请人姓名（或单位名称）", max_length=100)
    id_number = forms.CharField(
        label="证件号码",
        max_length=20,
        help_text="居民身份证号码，或统一社会信用代码",
    )
    phone = forms.CharField(label="联系电话", max_length=20)
    email = forms.EmailField(
        label="电子邮箱（选填）",
        required=False,
        help_text="填写后，受理编号和查询码也会发送到此邮箱",
    )
    note = forms.CharField(
        label="申请说明（选填）", required=False, max_length=2000, widget=forms.Textarea
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "请阅读并勾选同意个人信息使用说明后再提交。"},
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, guide: dict, kept: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = materials(guide)
        self.kept = kept or {}  # field name → file name waiting in the holding folder
        for n, material in enumerate(self.materials):
            name = f"material_{n}"
            required = bool(material.get("required")) and name not in self.kept
            label = material["name"] + ("" if material.get("required") else "（选填）")
            help_text = "PDF、OFD、JPG、PNG、Word 或 Excel 文件，不超过 20 MB"
            if name in self.kept:
                help_text = f"已上传“{self.kept[name]}”，无需重新选择（重新选择则替换）"
            self.fields[name] = forms.FileField(
                label=label,
                required=required,
                help_text=help_text,
                error_messages={"required": f"请上传“{material['name']}”。"},
            )

    def material_fields(self):
        return [self[f"material_{n}"] for n in range(len(self.materials))]

    def clean_client_token(self):
        token = self.cleaned_data["client_token"]
        if not TOKEN.match(token):
            raise forms.ValidationError("表单已失效，请刷新页面后重新填写。")
        return token

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        if not ID_NUMBER.match(value):
            raise forms.ValidationError(
                "证件号码格式不对：身份证为18位，统一社会信用代码为18位字母数字。"
            )
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not PHONE.match(value):
            raise forms.ValidationError("请填写有效的电话号码（7—20 位数字）。")
        return value

    def clean(self):
        cleaned = super().clean()
        for n, material in enumerate(self.materials):
            name = f"material_{n}"
            upload = cleaned.get(name)
            if upload:
                try:
                    casework.check_upload(upload)
                except UploadRejected as exc:
                    self.add_error(name, f"“{material['name']}”未通过检查：{exc}")
                    cleaned[name] = None
        return cleaned


# --- the holding folder of files that passed, while another one is fixed ------------------


def _pending_root() -> Path:
    return Path(settings.CASEWORK_FILES_ROOT) / "onestop-pending"


def _pending_dir(token: str) -> Path:
    if not TOKEN.match(token or ""):
        raise ValueError("bad token")
    return _pending_root() / token


def owns(request, token: str) -> bool:
    return token in request.session.get(SESSION_KEY, [])


def claim(request, token: str) -> None:
    tokens = [t for t in request.session.get(SESSION_KEY, []) if t != token][-9:]
    request.session[SESSION_KEY] = [*tokens, token]


def hold(request, token: str, field: str, upload) -> None:
    """Keep a file that passed while the form is shown again."""
    folder = _pending_dir(token)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{field}__*"):
        old.unlink()
    original = Path(upload.name or "file").name[-120:]
    with (folder / f"{field}__{original}").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    claim(request, token)


def held(request, token: str) -> dict[str, Path]:
    """{field: path} of the files this browser's form has waiting."""
    if not TOKEN.match(token or "") or not owns(request, token):
        return {}
    folder = _pending_dir(token)
    if not folder.is_dir():
        return {}
    return {p.name.split("__", 1)[0]: p for p in folder.iterdir() if "__" in p.name}


def release(token: str) -> None:
    shutil.rmtree(_pending_dir(token), ignore_errors=True)


def sweep_pending(max_age: int = PENDING_MAX_AGE) -> int:
    """Holding folders of forms abandoned for a day are removed (`manage.py sweep` runs it)."""
    root = _pending_root()
    if not root.is_dir():
        return 0
    removed, limit = 0, time.time() - max_age
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# --- opening the case -----------------------------------------------------------------------


@dataclass
class Submitted:
    case: object
    code: str | None
    replayed: bool


def submit(item, guide: dict, form: ApplicationForm, files: dict[str, object]) -> Submitted:
    """Open the case (idempotent on the form's client token). `files`: field → upload."""
    data = form.cleaned_data
    attachments = []
    for n, material in enumerate(form.materials):
        upload = files.get(f"material_{n}")
        if upload is not None:
            attachments.append((material["name"], upload))
    parallel = list(
        Website.objects.filter(schema_name__in=guide.get("parallel_sites") or [])
        .exclude(pk=item.site_id)
        .order_by("legal_name")
    )
    token = data["client_token"]
    before = Case.objects.filter(client_token=token).exists()
    case, code = casework.open_case(
        KIND,
        lead_site=item.site,
        sites=parallel,
        title=item.title,
        subject_key=item.item_key,
        subject_title=item.title,
        subject_url=item.url,
        applicant={
            "name": data["name"],
            "id_number": data["id_number"],
            "phone": data["phone"],
            "email": data.get("email") or "",
        },
        content={"note": data.get("note") or "", "consent": CONSENT_TEXT},
        attachments=attachments,
        client_token=token,
        deadline_working_days=working_days(guide),
    )
    return Submitted(case, code, before)


def open_files(paths: dict[str, Path]) -> dict[str, File]:
    return {
        field: File(path.open("rb"), name=path.name.split("__", 1)[1])
        for field, path in paths.items()
    }
