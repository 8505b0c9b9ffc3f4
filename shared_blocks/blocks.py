"""The design system's content blocks (P4): every site composes its pages from these."""

import hashlib

from django.conf import settings
from django.utils.module_loading import import_string
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class HeadingBlock(blocks.StructBlock):
    """A section heading inside an article body (h2 or h3)."""

    text = blocks.CharBlock(label="标题文字", max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "二级标题"), ("h3", "三级标题")], default="h2", label="级别"
    )

    class Meta:
        icon = "title"
        label = "小标题"
        template = "shared_blocks/heading_block.html"
        description = "正文中的章节标题"
        preview_value = {"text": "一、工作目标", "level": "h2"}


class ImageWithCaptionBlock(blocks.StructBlock):
    """An image with a caption; alt text is required (V6 accessibility)."""

    image = ImageChooserBlock(label="图片")
    alt_text = blocks.CharBlock(
        label="替代文字", max_length=200, help_text="为视障用户描述图片内容"
    )
    caption = blocks.CharBlock(label="图片说明", required=False, max_length=200)

    class Meta:
        icon = "image"
        label = "图片"
        template = "shared_blocks/image_with_caption_block.html"
        description = "带说明文字的图片"


class AttachmentListBlock(blocks.StructBlock):
    """Downloadable attachments (附件) listed under a heading."""

    title = blocks.CharBlock(label="标题", default="附件", max_length=60)
    documents = blocks.ListBlock(DocumentChooserBlock(label="文件"), label="文件", min_num=1)

    class Meta:
        icon = "doc-full"
        label = "附件"
        template = "shared_blocks/attachment_list_block.html"
        description = "可下载的附件列表"


class DataTableBlock(blocks.StructBlock):
    """A table with a caption; the first row is the header."""

    caption = blocks.CharBlock(label="表格标题", max_length=120)
    table = TableBlock(label="表格", table_options={"startRows": 3, "startCols": 3})
    source_note = blocks.CharBlock(label="数据来源", required=False, max_length=120)

    class Meta:
        icon = "table"
        label = "表格"
        template = "shared_blocks/data_table_block.html"
        description = "带标题的数据表格"


class NoticeCalloutBlock(blocks.StructBlock):
    """A highlighted box for an important reminder in the body text."""

    tone = blocks.ChoiceBlock(
        choices=[("info", "提示"), ("warning", "注意"), ("urgent", "紧急")],
        default="info",
        label="类型",
    )
    title = blocks.CharBlock(label="标题", max_length=60)
    text = blocks.TextBlock(label="内容", max_length=1000)

    class Meta:
        icon = "warning"
        label = "提示框"
        template = "shared_blocks/notice_callout_block.html"
        description = "醒目的提示或警示"
        preview_value = {"tone": "warning", "title": "温馨提示", "text": "请市民注意出行安全。"}

    def clean(self, value):
        value = super().clean(value)
        if value["tone"] == "urgent" and len(value["text"]) > 300:
            raise StructBlockValidationError(
                block_errors={"text": blocks.BlockValidationError("紧急提示请控制在 300 字以内。")}
            )
        return value


class StatisticsRowBlock(blocks.StructBlock):
    """One figure of a statistics table: what is counted and its value."""

    label = blocks.CharBlock(label="项目", max_length=40)
    value = blocks.DecimalBlock(label="数值", max_digits=14, decimal_places=2)

    class Meta:
        icon = "list-ul"
        label = "数据行"


class StatisticsTableBlock(blocks.StructBlock):
    """Statistics entered as a table, shown as the table and a bar chart drawn on the server.

    The chart is an inline SVG (no script, no external CDN) labelled for screen readers; the
    table beside it carries the same figures, so nothing is only in the picture (V6).
    """

    MAX_ROWS = 40

    caption = blocks.CharBlock(label="表格标题", max_length=120)
    unit = blocks.CharBlock(
        label="计量单位", max_length=20, required=False, help_text="如“亿元”“%”“人”"
    )
    rows = blocks.ListBlock(StatisticsRowBlock(), label="数据", min_num=1, max_num=MAX_ROWS)
    source_note = blocks.CharBlock(label="数据来源", required=False, max_length=120)

    class Meta:
        icon = "table"
        label = "统计表"
        template = "shared_blocks/statistics_table_block.html"
        description = "统计数据表，页面上同时显示表格和条形图"
        preview_value = {
            "caption": "2025年一季度主要经济指标",
            "unit": "亿元",
            "rows": [
                {"label": "地区生产总值", "value": "152.3"},
                {"label": "固定资产投资", "value": "48.6"},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        labels = [row["label"].strip() for row in value["rows"]]
        if len(set(labels)) != len(labels):
            raise StructBlockValidationError(
                block_errors={
                    "rows": blocks.BlockValidationError("数据行的“项目”不能重复：请合并或改名。")
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        rows = [(r["label"], r["value"]) for r in value["rows"]]
        context["chart"] = bar_chart(rows)
        # ids for aria-labelledby: stable per table, distinct between tables on one page
        context["uid"] = hashlib.sha1(
            repr((value["caption"], rows)).encode(), usedforsecurity=False
        ).hexdigest()[:10]
        return context


def bar_chart(rows, width=640, bar_height=22, gap=10, label_width=170):
    """Geometry of a horizontal bar chart; negative values extend left of the zero line."""
    values = [float(v) for _, v in rows]
    high, low = max([*values, 0.0]), min([*values, 0.0])
    span = (high - low) or 1.0
    plot = width - label_width - 90
    zero_x = label_width + plot * (-low / span)
    bars = []
    for i, ((label, raw), value) in enumerate(zip(rows, values, strict=True)):
        length = plot * abs(value) / span
        x = zero_x if value >= 0 else zero_x - length
        bars.append(
            {
                "label": label,
                "value": raw,
                "display": format(raw.normalize(), "f"),
                "x": round(x, 1),
                "width": round(max(length, 1), 1),
                "y": gap + i * (bar_height + gap),
                "text_x": round(x + length + 6 if value >= 0 else zero_x + 6, 1),
                "negative": value < 0,
            }
        )
    height = gap + len(rows) * (bar_height + gap)
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "bar_height": bar_height,
        "zero_x": round(zero_x, 1),
        "label_width": label_width,
    }


def _shared_resources(name: str):
    """The callable settings.SHARED_RESOURCES names: the registry of shared files lives in an
    app above the blocks (federation.syndication), which the blocks may not import."""
    return import_string(settings.SHARED_RESOURCES[name])


# Called when an editor form is built (the names are referenced by migrations).
def _shared_document_choices():
    return _shared_resources("choices")("document")


def _shared_image_choices():
    return _shared_resources("choices")("image")


class SharedResourceBlock(blocks.StructBlock):
    """A document or image the portal shares with every site (P5): picked from the shared
    registry, linked at the portal's own URL, never copied into this site's media."""

    label_text = blocks.CharBlock(
        label="显示文字", required=False, max_length=120, help_text="留空则使用资源标题"
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        resource_id = value.get("resource")
        context["resource"] = (
            _shared_resources("get")(int(resource_id))
            if resource_id and str(resource_id).isdigit()
            else None
        )
        return context


class SharedDocumentBlock(SharedResourceBlock):
    """A shared document: a download link to the portal's copy."""

    resource = blocks.ChoiceBlock(choices=_shared_document_choices, label="共享文件")

    class Meta:
        icon = "doc-full-inverse"
        label = "共享文件"
        template = "shared_blocks/shared_document_block.html"
        description = "门户网站共享的文件，不复制到本站"


class SharedImageBlock(SharedResourceBlock):
    """A shared image, shown from the portal's media."""

    resource = blocks.ChoiceBlock(choices=_shared_image_choices, label="共享图片")
    alt_text = blocks.CharBlock(
        label="替代文字", max_length=200, help_text="为视障用户描述图片内容"
    )

    class Meta:
        icon = "image"
        label = "共享图片"
        template = "shared_blocks/shared_image_block.html"
        description = "门户网站共享的图片，不复制到本站"


class BodyBlock(blocks.StreamBlock):
    """The body of an article or column page."""

    paragraph = blocks.RichTextBlock(
        label="段落", features=RICH_TEXT_FEATURES, template="shared_blocks/paragraph_block.html"
    )
    heading = HeadingBlock()
    image = ImageWithCaptionBlock()
    attachments = AttachmentListBlock()
    table = DataTableBlock()
    notice = NoticeCalloutBlock()
    shared_document = SharedDocumentBlock()
    shared_image = SharedImageBlock()

    class Meta:
        icon = "doc-full"
