"""Admin views (inside each site's Wagtail admin, under /admin/syndication/).

Every view reads the site from the request's schema and only ever shows rows of that site:
the portal's curator sees offers made *to the portal*, a district's editors see offers *they*
made and copies *they* received. Portal-only views answer 404 on other sites.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from federation.library import services as library
from federation.library.models import ItemType
from security import twofactor
from security.audit.context import actor_name
from sites.core.models import ColumnPage
from tenants.models import Website

from . import broadcasts, deliveries, offers, rules, sharing
from . import subscriptions as subscribing  # (views below are named `subscriptions`, `push_down`)
from .models import (
    Audience,
    Broadcast,
    BroadcastRequest,
    Delivery,
    OfferRule,
    PushDown,
    Subscription,
    SyndicationOffer,
    WarningLevel,
)
from .rules import SyndicationError

HEADINGS = {
    "inbox": "报送收件箱",
    "report": "报送与转载",
    "offer_page": "报送门户",
    "push_down": "下发到各网站",
    "push_downs": "信息下发记录",
    "subscriptions": "栏目共建订阅",
    "broadcasts": "紧急广播",
    "shared": "共享资源",
}


def site_view(portal_only=False, curator=False):
    """Resolve the request's site; refuse portal-only views elsewhere and non-curators."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            site = Website.objects.current()
            if site is None:
                raise Http404("not a site")
            if portal_only and site.kind != Website.Kind.PORTAL:
                raise Http404("only on the portal")
            if curator and not rules.can_curate(request.user):
                raise PermissionDenied("只有门户信息编审人员可以进行此操作。")
            return view(request, site, *args, **kwargs)

        return wrapped

    return decorator


def _columns():
    return list(ColumnPage.objects.order_by("path").values_list("slug", "title", "depth"))


# --- The source site: offer a page, offer a column, see what became of it ----------------------


@site_view()
def offer_page(request, site, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    if request.method == "POST":
        try:
            offer = offers.offer_page(site, page, request.user)
        except SyndicationError as exc:
            messages.error(request, str(exc))
        else:
            if offer is None:
                messages.success(
                    request, f"“{page.title}”已设置为报送门户，资源库同步后即进入门户收件箱。"
                )
            else:
                messages.success(
                    request, f"“{page.title}”已报送门户网站（{offer.get_status_display()}）。"
                )
        return redirect("syndication_report")
    item = library.item_for_page(site, page)
    offer = SyndicationOffer.objects.filter(item=item).first() if item else None
    return render(
        request,
        "syndication/admin/offer_page.html",
        {
            "heading": HEADINGS["offer_page"],
            "page": page,
            "offer": offer,
            "portal": Website.objects.portal(),
            "site": site,
        },
    )


@require_POST
@site_view()
def column_offers(request, site, page_id):
    column = get_object_or_404(ColumnPage, pk=page_id)
    if not column.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    enabled = request.POST.get("enabled") == "1"
    offers.set_column_offers_everything(site, column, enabled, request.user)
    messages.success(
        request,
        f"栏目“{column.title}”{'今后发布的信息将全部报送门户' if enabled else '不再自动报送门户'}。",
    )
    return redirect("syndication_report")


@site_view()
def report(request, site):
    """What this site offered and received: statuses and reasons its editors must see."""
    offers = (
        SyndicationOffer.objects.filter(source=site)
        .select_related("item", "target")
        .order_by("-created_at")[:200]
    )
    received = (
        Delivery.objects.filter(target=site)
        .select_related("item", "item__site")
        .order_by("-created_at")[:200]
    )

    offering = set(
        OfferRule.objects.filter(site=site, scope=OfferRule.Scope.COLUMN).values_list(
            "page_key", flat=True
        )
    )
    columns = [
        (c, c.translation_key in offering)
        for c in ColumnPage.objects.order_by("path").only("title", "translation_key", "depth")
    ]
    return render(
        request,
        "syndication/admin/report.html",
        {
            "heading": HEADINGS["report"],
            "site": site,
            "offers": offers,
            "received": received,
            "columns": columns,
            "is_portal": site.kind == Website.Kind.PORTAL,
            "can_decline": rules.can_decline_copies(request.user),
        },
    )


@require_POST
@site_view()
def decline_delivery(request, site, delivery_id):
    delivery = get_object_or_404(Delivery, pk=delivery_id, target=site)
    if not rules.can_decline_copies(request.user):
        raise PermissionDenied("只有网站管理员可以退回转载信息。")
    try:
        deliveries.decline_delivery(delivery, request.POST.get("reason", ""), request.user)
    except SyndicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已退回“{delivery.item.title}”，本站副本已撤下。")
    return redirect("syndication_report")


# --- The portal's curator ------------------------------------------------------------------


@site_view(portal_only=True, curator=True)
def inbox(request, site):
    columns = _columns()
    slugs = {slug for slug, _title, _depth in columns}
    pending = list(offers.inbox(site)[:200])
    for offer in pending:  # preselected; the curator may choose another column
        offer.default_column = offers.default_column(offer, slugs)
    decided = (
        SyndicationOffer.objects.filter(target=site)
        .exclude(status=SyndicationOffer.Status.PENDING)
        .select_related("item", "source")
        .order_by("-decided_at", "-created_at")[:50]
    )
    return render(
        request,
        "syndication/admin/inbox.html",
        {
            "heading": HEADINGS["inbox"],
            "site": site,
            "offers": pending,
            "decided": decided,
            "columns": columns,
            "item_types": dict(ItemType.choices),
        },
    )


@require_POST
@site_view(portal_only=True, curator=True)
def accept_offer(request, site, offer_id):
    offer = get_object_or_404(SyndicationOffer, pk=offer_id, target=site)
    slug = request.POST.get("column", "")
    if slug not in {c[0] for c in _columns()}:
        messages.error(request, "请选择本站已有的栏目。")
        return redirect("syndication_inbox")
    try:
        offers.accept_offer(offer, slug, request.user)
    except SyndicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已采用“{offer.item.title}”。")
    return redirect("syndication_inbox")


@require_POST
@site_view(portal_only=True, curator=True)
def decline_offer(request, site, offer_id):
    offer = get_object_or_404(SyndicationOffer, pk=offer_id, target=site)
    try:
        offers.decline_offer(offer, request.POST.get("reason", ""), request.user)
    except SyndicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已退回“{offer.item.title}”，报送网站可以看到理由。")
    return redirect("syndication_inbox")


class PushDownForm(forms.Form):
    audience = forms.ChoiceField(
        label="下发范围",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        initial=Audience.ALL_DISTRICTS,
    )
    sites = forms.ModelMultipleChoiceField(
        label="指定网站",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Website.objects.none(),
    )
    column_slug = forms.SlugField(
        label="接收栏目标识",
        initial="tzgg",
        allow_unicode=True,
        help_text="各网站的栏目标识（网址中的名称），如 tzgg（通知公告）",
    )
    mandatory = forms.BooleanField(
        label="必须转载（接收网站只读，不能退回）", required=False, initial=True
    )

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = rules.audience_sites(Audience.ALL_SITES, exclude=source)


@site_view(portal_only=True, curator=True)
def push_down(request, site, page_id):
    page = get_object_or_404(Page, pk=page_id)
    item = library.item_for_page(site, page)
    form = PushDownForm(request.POST or None, source=site)
    if request.method == "POST" and form.is_valid():
        if item is None or item.withdrawn:
            messages.error(request, "该页面尚未进入资源库（未发布或受访问限制），不能下发。")
        else:
            try:
                record = subscribing.push_down(
                    item,
                    audience=form.cleaned_data["audience"],
                    sites=list(form.cleaned_data["sites"]),
                    column_slug=form.cleaned_data["column_slug"],
                    mandatory=form.cleaned_data["mandatory"],
                    user=request.user,
                )
            except SyndicationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, f"已下发“{item.title}”到 {record.deliveries.count()} 个网站。"
                )
                return redirect("syndication_pushdowns")
    return render(
        request,
        "syndication/admin/push_down.html",
        {"heading": HEADINGS["push_down"], "page": page, "item": item, "form": form},
    )


@site_view(portal_only=True, curator=True)
def push_downs(request, site):
    records = (
        PushDown.objects.filter(item__site=site)
        .select_related("item")
        .prefetch_related("deliveries__target")
        .order_by("-created_at")[:100]
    )
    return render(
        request,
        "syndication/admin/push_downs.html",
        {"heading": HEADINGS["push_downs"], "records": records},
    )


class SubscriptionForm(forms.ModelForm):
    item_types = forms.MultipleChoiceField(
        label="信息类型",
        choices=ItemType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选为全部类型",
    )
    categories = forms.CharField(
        label="来源栏目名称",
        required=False,
        help_text="如“工作动态”，多个用逗号分隔；留空为全部栏目",
    )
    column_slug = forms.ChoiceField(label="接收栏目")

    class Meta:
        model = Subscription
        fields = [
            "name",
            "column_slug",
            "audience",
            "sources",
            "item_types",
            "categories",
            "requires_review",
        ]
        widgets = {"sources": forms.CheckboxSelectMultiple, "audience": forms.RadioSelect}

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["column_slug"].choices = [(s, f"{'—' * (d - 3)}{t}") for s, t, d in _columns()]
        self.fields["sources"].queryset = rules.audience_sites(Audience.ALL_SITES, exclude=target)

    def clean_categories(self):
        raw = self.cleaned_data["categories"].replace("，", ",")
        return [c.strip() for c in raw.split(",") if c.strip()]

    def clean(self):
        data = super().clean()
        if data.get("audience") == Audience.CHOSEN and not data.get("sources"):
            raise ValidationError({"sources": "请选择至少一个来源网站。"})
        return data


@site_view(portal_only=True, curator=True)
def subscriptions(request, site):
    form = SubscriptionForm(request.POST or None, target=site)
    if request.method == "POST" and "toggle" in request.POST:
        sub = get_object_or_404(Subscription, pk=request.POST["toggle"], target=site)
        sub.active = not sub.active
        sub.save(update_fields=["active"])
        if sub.active:
            subscribing.backfill_subscription(sub)
        messages.success(request, f"订阅“{sub.name}”已{'启用' if sub.active else '停用'}。")
        return redirect("syndication_subscriptions")
    if request.method == "POST" and form.is_valid():
        sub = form.save(commit=False)
        sub.target, sub.created_by = site, actor_name(request.user)
        sub.save()
        form.save_m2m()
        count = subscribing.backfill_subscription(sub)
        messages.success(request, f"已创建订阅“{sub.name}”，已匹配 {count} 条近期信息。")
        return redirect("syndication_subscriptions")
    subs = (
        Subscription.objects.filter(target=site).prefetch_related("sources").order_by("-created_at")
    )
    return render(
        request,
        "syndication/admin/subscriptions.html",
        {
            "heading": HEADINGS["subscriptions"],
            "form": form,
            "subscriptions": subs,
            "item_types": dict(ItemType.choices),
        },
    )


# --- Broadcasts (I5) ---------------------------------------------------------------------------


NEED_TWO_FACTOR = "发布全市横幅需要通过两步验证的登录：请先完成两步验证，再发布。"


class BroadcastForm(forms.Form):
    level = forms.ChoiceField(label="预警级别", choices=WarningLevel.choices)
    title = forms.CharField(label="标题", max_length=100)
    text = forms.CharField(
        label="简要内容", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(label="全文链接", max_length=500, assume_scheme="https")
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


@site_view(portal_only=True, curator=True)
def broadcast_list(request, site):
    """Post a banner in two steps (the form, then a confirmation), from a session that passed
    two-factor; approve or decline the banners emergency items ask for."""
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    verified = twofactor.is_verified(request)
    form = BroadcastForm(
        request.POST or None,
        initial={
            "level": WarningLevel.BLUE,
            "starts_at": now.isoformat(timespec="minutes"),
            "ends_at": (now + timezone.timedelta(hours=6)).isoformat(timespec="minutes"),
        },
    )
    if request.method == "POST" and form.is_valid():
        if not verified:
            form.add_error(None, NEED_TWO_FACTOR)
        elif not request.POST.get("confirmed"):
            return render(
                request,
                "syndication/admin/broadcast_confirm.html",
                {
                    "heading": "确认发布紧急广播",
                    "form": form,
                    "level_words": dict(WarningLevel.choices)[form.cleaned_data["level"]],
                    "site_count": Website.objects.filter(status=Website.Status.ACTIVE).count(),
                },
            )
        else:
            try:
                b = broadcasts.post_broadcast(**form.cleaned_data, user=request.user, site=site)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"紧急广播“{b.title}”已发布，全部网站将在数秒内显示。")
                return redirect("syndication_broadcasts")
    items = Broadcast.objects.prefetch_related("log").order_by("-posted_at")[:100]
    return render(
        request,
        "syndication/admin/broadcasts.html",
        {
            "heading": HEADINGS["broadcasts"],
            "form": form,
            "broadcasts": items,
            "verified": verified,
            "requests": BroadcastRequest.objects.filter(
                status=BroadcastRequest.Status.PENDING
            ).select_related("site"),
        },
    )


@site_view(portal_only=True, curator=True)
def broadcast_request(request, site, request_id):
    """An emergency item's banner request: GET the confirmation, POST approve (two-factor)."""
    req = get_object_or_404(BroadcastRequest, pk=request_id)
    verified = twofactor.is_verified(request)
    error = None
    if request.method == "POST":
        if req.status != BroadcastRequest.Status.PENDING:
            error = f"该申请已处理（{req.get_status_display()}）。"
        elif not verified:
            error = NEED_TWO_FACTOR
        elif not request.POST.get("confirmed"):
            error = "请勾选“我确认在全市所有网站显示此横幅”。"
        else:
            broadcasts.approve_request(req, user=request.user, site=site)
            messages.success(request, f"“{req.title}”的横幅已发布，全部网站将在数秒内显示。")
            return redirect("syndication_broadcasts")
    return render(
        request,
        "syndication/admin/broadcast_request.html",
        {"heading": "审批全市横幅申请", "req": req, "verified": verified, "error": error},
    )


@require_POST
@site_view(portal_only=True, curator=True)
def broadcast_request_decline(request, site, request_id):
    req = get_object_or_404(BroadcastRequest, pk=request_id)
    broadcasts.decline_request(req, request.user)
    messages.success(request, f"已不采用“{req.title}”的横幅申请。")
    return redirect("syndication_broadcasts")


@require_POST
@site_view(portal_only=True, curator=True)
def broadcast_withdraw(request, site, broadcast_id):
    b = get_object_or_404(Broadcast, pk=broadcast_id)
    broadcasts.withdraw_broadcast(b, request.user, site)
    messages.success(request, f"紧急广播“{b.title}”已撤销。")
    return redirect("syndication_broadcasts")


# --- Shared resources (P5) ---------------------------------------------------------------------


@site_view()
def shared_resources(request, site):
    """On the portal: share or stop sharing its documents and images. Everywhere: the registry
    of what is shared, to pick from (the blocks) or copy a link from."""
    is_portal = site.kind == Website.Kind.PORTAL
    context = {
        "site": site,
        "is_portal": is_portal,
        "query": request.GET.get("q", "")[:100],
        "resources": sharing.available(query=request.GET.get("q", "")[:100])[:200],
    }
    if is_portal and rules.can_curate(request.user):
        context.update(
            documents=get_document_model().objects.order_by("-created_at")[:100],
            images=get_image_model().objects.order_by("-created_at")[:100],
            shared_documents=sharing.shared_ids(sharing.Kind.DOCUMENT),
            shared_images=sharing.shared_ids(sharing.Kind.IMAGE),
        )
    return render(request, "syndication/admin/shared.html", context)


@require_POST
@site_view(portal_only=True, curator=True)
def share_toggle(request, site, kind, object_id):
    model = {"document": get_document_model(), "image": get_image_model()}.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=object_id)
    if request.POST.get("share") == "1":
        (sharing.share_document if kind == "document" else sharing.share_image)(obj, request.user)
        messages.success(request, f"“{obj.title}”已共享给全部网站。")
    else:
        sharing.unshare(kind, obj.pk)
        messages.success(request, f"“{obj.title}”已停止共享。")
    return redirect(reverse("syndication_shared"))
