"""Per-site presentation settings (V1, V2, V5): the 繁體 variant, the depth limit, the header
image, the favicon and the 党政机关 identity badge's verification link."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

DEFAULT_MAX_DEPTH = 4


@register_setting(icon="view")
class PresentationSettings(BaseSiteSetting):
    class TraditionalVariant(models.TextChoices):
        # OpenCC configurations: phrase-level conversion in each.
        STANDARD = "s2t", "标准繁体（OpenCC s2t）"
        TAIWAN = "s2tw", "台湾正体（s2tw）"
        TAIWAN_PHRASES = "s2twp", "台湾正体及惯用词（s2twp，如 软件→軟體）"
        HONG_KONG = "s2hk", "香港繁体（s2hk）"

    traditional_variant = models.CharField(
        "繁体版本的转换标准",
        max_length=8,
        choices=TraditionalVariant.choices,
        default=TraditionalVariant.STANDARD,
        help_text="繁体版页面由简体页面即时转换生成；专有名词保护词典由平台运维维护",
    )
    max_depth = models.PositiveSmallIntegerField(
        "栏目最大层级",
        default=DEFAULT_MAX_DEPTH,
        validators=[MinValueValidator(2), MaxValueValidator(8)],
        help_text="页面距首页的最多点击次数（默认4次）；编辑新建更深的页面时会收到提醒",
    )
    header_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="页头背景图",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="宽幅图片，显示在页头网站名称之后；文字仍以主题色衬底，保证对比度",
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="网站图标（favicon）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="正方形图片，浏览器标签页上显示；不设置时使用平台默认图标",
    )
    conac_url = models.URLField(
        "党政机关标识核验地址",
        blank=True,
        help_text="开办单位在中央编办网站取得的“党政机关”标识核验页面地址；"
        "填写后页脚的标识链接到该页面",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("header_image"), FieldPanel("favicon"), FieldPanel("conac_url")],
            heading="标识",
        ),
        FieldPanel("max_depth"),
        FieldPanel("traditional_variant"),
    ]

    class Meta:
        verbose_name = "展示设置"
