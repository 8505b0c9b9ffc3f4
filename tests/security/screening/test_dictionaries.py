"""Dictionaries as data: platform-wide in the public schema, each site's in its schema;
CSV import/export; the compiled cache follows changes."""

import pytest
from django_tenants.utils import schema_context

from security.screening import csvio, services
from security.screening.models import Kind, OfficialTitle, ScreeningTerm, Severity

pytestmark = pytest.mark.django_db


def add(kind, term, suggestion="", severity=""):
    item = ScreeningTerm(kind=kind, term=term, suggestion=suggestion, severity=severity)
    item.full_clean()
    item.save()
    return item


def test_platform_terms_apply_in_every_site_and_site_terms_only_in_their_own(alpha, beta):
    with schema_context("public"):
        add(Kind.SENSITIVE, "平台敏感词甲")
    with schema_context(alpha.schema_name):
        add(Kind.MISTAKE, "按装", "安装")
    text = "平台敏感词甲，请按装。"
    with schema_context(alpha.schema_name):
        found = services.check_text(text)
        assert [(f.text, f.source, f.serious) for f in found] == [
            ("平台敏感词甲", "platform", True),
            ("按装", "site", False),
        ]
        assert found[1].suggestion == "安装" and (found[1].start, found[1].end) == (8, 10)
        assert ScreeningTerm.objects.filter(term="按装").exists()
    with schema_context(beta.schema_name):
        assert [f.text for f in services.check_text(text)] == ["平台敏感词甲"]
        assert not ScreeningTerm.objects.filter(term="按装").exists()
    with schema_context("public"):
        assert [f.text for f in services.check_text(text)] == ["平台敏感词甲"]


def test_a_change_is_seen_by_the_next_check(alpha):
    with schema_context(alpha.schema_name):
        assert services.check_text("新词出现") == []
        term = add(Kind.SENSITIVE, "新词")
        assert [f.text for f in services.check_text("新词出现")] == ["新词"]
        term.enabled = False
        term.save()
        assert services.check_text("新词出现") == []


def test_a_title_that_is_not_the_persons_is_serious_with_the_right_form(alpha):
    with schema_context(alpha.schema_name):
        OfficialTitle.objects.create(person="张建国", title="市长")
        OfficialTitle.objects.create(person="李文华", title="副市长")
        found = services.check_text("副市长张建国和副市长李文华、市长李文华出席。")
        assert [(f.text, f.kind, f.suggestion, f.serious) for f in found] == [
            ("副市长张建国", Kind.TITLE_MISMATCH, "市长张建国", True),
            ("市长李文华", Kind.TITLE_MISMATCH, "副市长李文华", True),
        ]
        assert found[1].start == 14


def test_the_cache_key_carries_the_schema(alpha, beta):
    with schema_context(alpha.schema_name):
        add(Kind.SENSITIVE, "甲站词")
        services.check_text("甲站词")
    with schema_context(beta.schema_name):
        add(Kind.SENSITIVE, "乙站词")
        assert [f.text for f in services.check_text("甲站词乙站词")] == ["乙站词"]
    keys = {schema for schema, _ in services._compiled}
    assert {alpha.schema_name, beta.schema_name} <= keys


def test_the_compiled_cache_keeps_the_most_recently_used_sites_only(alpha, beta, monkeypatch):
    """A worker that touches every site keeps a bounded number of matchers, not one per site."""
    monkeypatch.setattr(services, "COMPILED_LIMIT", 2)
    monkeypatch.setattr(services, "_compiled", type(services._compiled)())
    with schema_context(alpha.schema_name):
        services.check_text("检查")  # compiles the platform's matcher, then alpha's
    assert [schema for schema, _ in services._compiled] == ["public", alpha.schema_name]
    with schema_context(beta.schema_name):
        services.check_text("检查")  # uses the platform's (now recent), compiles beta's
    assert [schema for schema, _ in services._compiled] == ["public", beta.schema_name]
    with schema_context(alpha.schema_name):
        services.check_text("检查")  # alpha's is compiled again; beta's is now the oldest
    assert [schema for schema, _ in services._compiled] == ["public", alpha.schema_name]


CSV = (
    "类别,词语,正确写法,严重程度,说明,启用\n"
    "敏感词,导入敏感词,,,,\n"
    "易错词,既使,即使,提示,常见错误,是\n"
    "错误的名称或称谓,乌海市卫生局,乌海市卫生健康委员会,严重,机构改革后已更名,\n"
).encode()


def test_csv_round_trip_and_upsert(alpha):
    with schema_context(alpha.schema_name):
        assert csvio.import_terms(CSV) == {"created": 3, "updated": 0}
        assert csvio.import_terms(CSV.replace("常见错误".encode(), "改".encode())) == {
            "created": 0,
            "updated": 3,
        }
        assert ScreeningTerm.objects.get(term="既使").note == "改"
        assert ScreeningTerm.objects.get(term="导入敏感词").severity == Severity.SERIOUS
        import io

        out = io.StringIO()
        assert csvio.export_terms(out) == 3
        assert "乌海市卫生局,乌海市卫生健康委员会,严重" in out.getvalue()
        found = services.check_text("乌海市卫生局既使如此")
        assert [f.suggestion for f in found] == ["乌海市卫生健康委员会", "即使"]


def test_gb18030_and_formula_cells(alpha):
    data = "类别,词语,正确写法\n易错词,=甲,乙\n".encode("gb18030")
    with schema_context(alpha.schema_name):
        csvio.import_terms(data)
        import io

        out = io.StringIO()
        csvio.export_terms(out)
        assert "'=甲" in out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空的"),
        ("词,类别\n敏感词,不应写入\n".encode(), "表头"),
        ("类别,词语\n敏感词,不应写入\n坏类别,词\n".encode(), "第 3 行"),
        ("类别,词语,正确写法\n敏感词,不应写入\n易错词,按装,\n".encode(), "须填写正确写法"),
        (b"\xff\xfe\x00bad" * 10, "编码"),
    ],
)
def test_a_bad_file_writes_nothing_and_says_which_line(alpha, data, message):
    with schema_context(alpha.schema_name):
        with pytest.raises(csvio.DictionaryImportError) as caught:
            csvio.import_terms(data)
        assert message in str(caught.value)
        assert not ScreeningTerm.objects.filter(term="不应写入").exists()


def test_titles_csv(alpha):
    data = "姓名,职务,单位,排序\n张建国,市长,乌海市人民政府,1\n张建国,市委副书记,,2\n".encode()
    with schema_context(alpha.schema_name):
        assert csvio.import_titles(data) == {"created": 2, "updated": 0}
        found = services.check_text("市委副书记张建国、市长张建国")
        assert found == []
        with pytest.raises(csvio.DictionaryImportError):
            csvio.import_titles("姓名,职务\n张三,\n".encode())
