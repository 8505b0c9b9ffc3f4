"""The catalogue's reference data, kept per site: topic categories, departments, numbering."""

from django.db import models
from wagtail.admin.panels import FieldPanel


class TopicCategory(models.Model):
    """主题分类: seeded with the national-style list, extendable by the site's operator."""

    name = models.CharField("名称", max_length=40, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=100)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """责任部门: the unit answerable for an item (信息公开责任部门)."""

    name = models.CharField("名称", max_length=60, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=100)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = "责任部门"
        verbose_name_plural = "责任部门"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class IndexNumberSequence(models.Model):
    """The last index-number serial issued in a year. Only ever counts up, so a number is
    never issued twice, even after the item that carried it is deleted."""

    year = models.PositiveIntegerField("年份", unique=True)
    last_serial = models.PositiveIntegerField("最后序号", default=0)

    class Meta:
        verbose_name = "索引号序列"
        verbose_name_plural = "索引号序列"

    def __str__(self):
        return f"{self.year}: {self.last_serial}"


class ReviewRoute(models.Model):
    """Which Wagtail workflow an item of a grade goes through (I3: the grade decides)."""

    class Grade(models.TextChoices):
        GENERAL = "general", "一般"
        SENSITIVE = "sensitive", "敏感"

    grade = models.CharField("信息分级", max_length=20, choices=Grade.choices, unique=True)
    workflow = models.ForeignKey(
        "wagtailcore.Workflow", verbose_name="审核流程", on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("grade"), FieldPanel("workflow")]

    class Meta:
        verbose_name = "分级审核路由"
        verbose_name_plural = "分级审核路由"

    def __str__(self):
        return f"{self.get_grade_display()} → {self.workflow}"
