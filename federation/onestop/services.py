"""The hall's questions, answered from the library alone (never another site's schema)."""

from .models import LifeEvent

DEFAULT_LIFE_EVENTS = [
    ("生育收养", "出生登记、生育服务、收养登记"),
    ("上学", "入学、学籍、资助"),
    ("就业创业", "求职登记、创业扶持、职业资格"),
    ("婚姻", "结婚、离婚、婚姻证明"),
    ("住房", "公积金、保障房、不动产"),
    ("社会保障", "社保参保、医保、救助"),
    ("医疗", "就医、医师和机构执业"),
    ("交通出行", "驾驶、车辆、道路运输"),
    ("退休养老", "退休、养老金、养老服务"),
    ("身后事", "死亡登记、丧葬补助"),
]


def ensure_life_events() -> None:
    """The default list, when the platform has none yet (the demo, a new installation)."""
    if not LifeEvent.objects.exists():
        LifeEvent.objects.bulk_create(
            LifeEvent(name=name, description=description, sort_order=n)
            for n, (name, description) in enumerate(DEFAULT_LIFE_EVENTS)
        )


def life_event_names() -> list[str]:
    """The editable list, in order (SERVICE_LIFE_EVENT_CHOICES: the editor's choices)."""
    names = list(LifeEvent.objects.values_list("name", flat=True))
    return names or [name for name, _ in DEFAULT_LIFE_EVENTS]
