"""Kinds of case: what each may do, in which state, and the words the public reads.

A kind is registered by the app that opens such cases (federation.onestop: service
applications; the interaction apps: letters, 找错 reports, 依申请公开 requests), from its
AppConfig.ready(); casework names none of them.

The state machine is per task (each addressed site's part): `transitions` maps an action to
(the task statuses it may start from, the status it leads to). None as the target means
"back to where the task was" (a supplement answered, a routing returned) or "unchanged"
(extend). A kind passes a subset (or other start states) to narrow the machine: a letter has
no 补正, say.
"""

import re
from dataclasses import dataclass, field

from .models import CaseStatus, TaskStatus

P, S, A, I = (  # noqa: E741
    TaskStatus.PENDING,
    TaskStatus.SUPPLEMENT,
    TaskStatus.ACCEPTED,
    TaskStatus.IN_PROGRESS,
)
OPEN = frozenset({P, S, A, I})

DEFAULT_TRANSITIONS: dict[str, tuple[frozenset, str | None]] = {
    "accept": (frozenset({P}), TaskStatus.ACCEPTED),
    "request_supplement": (frozenset({P, A, I}), TaskStatus.SUPPLEMENT),
    "answer_supplement": (frozenset({S}), None),
    "refuse": (frozenset({P, S, A, I}), TaskStatus.REFUSED),
    "start": (frozenset({A}), TaskStatus.IN_PROGRESS),
    "answer": (frozenset({A, I}), TaskStatus.ANSWERED),
    "route": (frozenset({P, A, I}), TaskStatus.ROUTED),
    "return_routing": (frozenset({P, A}), TaskStatus.RETURNED),
    "extend": (OPEN, None),
    # The site that routed a part sends the department's answer back for rework: checked
    # against the router's own task (still 已转办), which stays as it is.
    "send_back": (frozenset({TaskStatus.ROUTED}), None),
    # The lead site's own task when it completes the case (every other part answered).
    "complete": (
        frozenset({A, I, TaskStatus.ANSWERED, TaskStatus.ROUTED}),
        TaskStatus.ANSWERED,
    ),
}

ACTION_LABELS = {
    "open": "提交",
    "accept": "受理",
    "request_supplement": "要求补正",
    "answer_supplement": "补正材料",
    "refuse": "不予受理",
    "start": "开始办理",
    "answer": "办理完成",
    "route": "转办",
    "return_routing": "退回转办",
    "send_back": "退回重办",
    "extend": "延长期限",
    "complete": "办结",
    "site_waiting": "暂停办理",
    "site_resumed": "恢复办理",
    "deadline_warning": "临近期限提醒",
    "overdue": "超期提醒",
    "erase": "删除个人信息",
}

DEFAULT_STATUS_WORDS = {
    CaseStatus.SUBMITTED: "已提交，等待受理",
    CaseStatus.SUPPLEMENT: "需要补正材料",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.IN_PROGRESS: "办理中",
    CaseStatus.REFUSED: "不予受理",
    CaseStatus.COMPLETED: "已办结",
}

DEFAULT_TASK_WORDS = dict(TaskStatus.choices)

_PREFIX = re.compile(r"^[A-Z]{1,6}$")


@dataclass(frozen=True)
class CaseKind:
    code: str
    label: str
    prefix: str
    transitions: dict = field(default_factory=lambda: dict(DEFAULT_TRANSITIONS))
    status_words: dict = field(default_factory=lambda: dict(DEFAULT_STATUS_WORDS))
    task_words: dict = field(default_factory=lambda: dict(DEFAULT_TASK_WORDS))
    # Personal data is erased this many days after the case closes (erase_expired).
    retention_days: int = 3 * 365

    def allows(self, action: str) -> bool:
        return action in self.transitions

    def status_word(self, status: str) -> str:
        return self.status_words.get(status) or DEFAULT_STATUS_WORDS.get(status, status)

    def task_word(self, status: str) -> str:
        return self.task_words.get(status) or DEFAULT_TASK_WORDS.get(status, status)


_KINDS: dict[str, CaseKind] = {}


def register_kind(
    code: str,
    label: str,
    prefix: str,
    *,
    transitions: dict | None = None,
    actions=None,
    status_words: dict | None = None,
    task_words: dict | None = None,
    retention_days: int = 3 * 365,
) -> CaseKind:
    """Register (or re-register, idempotently) a kind of case.

    prefix: 1–6 capital letters, the start of every 受理编号 of the kind (unique per kind).
    transitions: the whole machine ({action: (from statuses, to status)}); or
    actions: the names of DEFAULT_TRANSITIONS the kind keeps (e.g. without request_supplement).
    status_words / task_words: the public words for case and task statuses, over the defaults.
    """
    if not _PREFIX.match(prefix):
        raise ValueError(f"办件编号前缀应为 1–6 个大写字母：{prefix!r}")
    for other in _KINDS.values():
        if other.prefix == prefix and other.code != code:
            raise ValueError(f"前缀 {prefix} 已被办件类别“{other.label}”使用。")
    machine = dict(transitions if transitions is not None else DEFAULT_TRANSITIONS)
    if actions is not None:
        unknown = set(actions) - set(machine)
        if unknown:
            raise ValueError(f"未知的办理操作：{sorted(unknown)}")
        machine = {name: machine[name] for name in actions}
    kind = CaseKind(
        code=code,
        label=label,
        prefix=prefix,
        transitions=machine,
        status_words={**DEFAULT_STATUS_WORDS, **(status_words or {})},
        task_words={**DEFAULT_TASK_WORDS, **(task_words or {})},
        retention_days=retention_days,
    )
    _KINDS[code] = kind
    return kind


def get_kind(code: str) -> CaseKind:
    """The registered kind; a kind whose app is gone still reads with the default machine."""
    kind = _KINDS.get(code)
    if kind is None:
        return CaseKind(code=code, label=code, prefix="X")
    return kind


def registered(code: str) -> bool:
    return code in _KINDS


def kinds() -> list[CaseKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)
