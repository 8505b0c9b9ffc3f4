"""Every kind of event the trail records (Z3), with the label auditors read."""

EVENT_TYPES = {
    # sign-in (site admins and the console)
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出",
    "auth.lockout": "账户/地址锁定",
    "auth.unlock": "解除锁定",
    "auth.idle_timeout": "空闲超时退出",
    "auth.2fa_enrolled": "启用两步验证",
    "auth.2fa_verified": "两步验证通过",
    "auth.2fa_failed": "两步验证失败",
    "auth.2fa_recovery_used": "使用恢复码",
    "auth.2fa_reset": "重置两步验证",
    # users and permissions
    "user.create": "新建用户",
    "user.change": "修改用户",
    "user.delete": "删除用户",
    "user.groups": "用户角色变更",
    "user.permissions": "用户权限变更",
    "group.create": "新建角色",
    "group.change": "修改角色",
    "group.delete": "删除角色",
    "group.permissions": "角色权限变更",
    "permission.page": "栏目权限变更",
    "permission.collection": "素材库权限变更",
    # settings
    "settings.change": "网站设置变更",
    # content (mirrored from Wagtail's own log: page.publish, page.unpublish, page.delete…)
    "page.publish": "发布",
    "page.unpublish": "撤销发布",
    "page.delete": "删除",
    "page.create": "新建",
    "page.edit": "保存草稿",
    "page.move": "移动",
    "workflow.start": "提交审核",
    "workflow.approve": "审核通过",
    "workflow.reject": "审核退回",
    "workflow.cancel": "取消审核",
    "workflow.resume": "重新提交审核",
    # federation (recorded by the syndication and broadcast apps through record())
    "syndication.offer": "推送上级",
    "syndication.accept": "采用",
    "syndication.reject": "不采用",
    "syndication.withdraw": "撤回",
    "syndication.push": "下推",
    "broadcast.send": "发送通知",
    "broadcast.withdraw": "撤回通知",
    # interaction with the public (sites.interaction): moderation and answers
    "interaction.approve": "互动内容公开",
    "interaction.reject": "互动内容不予公开",
    "interaction.answer": "答复咨询",
    "interaction.adopt": "采纳征集意见",
    "interaction.not_adopted": "不采纳征集意见",
    "interaction.transcript": "发布访谈实录",
    "interaction.erase": "删除留言人个人信息",
    # cases (federation.casework): every handling step, in the acting site's trail
    "case.open": "办件提交",
    "case.accept": "办件受理",
    "case.request_supplement": "办件要求补正",
    "case.answer_supplement": "办件补正",
    "case.refuse": "办件不予受理",
    "case.start": "办件开始办理",
    "case.answer": "办件办理完成",
    "case.route": "办件转办",
    "case.return_routing": "办件退回转办",
    "case.extend": "办件延期",
    "case.complete": "办件办结",
    "case.download": "下载办件材料",
    "case.query_failed": "办件查询失败",
    "case.site_waiting": "办件暂停办理",
    "case.site_resumed": "办件恢复办理",
    "case.export": "导出申请人信息",
    "case.erase": "删除办件个人信息",
    # 错敏词 (security.screening)
    "screening.override": "错敏词放行",
    "screening.dictionary_import": "导入错敏词词库",
    "screening.dictionary_change": "修改错敏词词库",
    "screening.schedule_dropped": "定时发布因错敏词取消",
    # platform console and operations
    "console.site_provisioned": "开设网站",
    "console.site_status": "改变网站状态",
    "console.site_registry": "修改网站登记信息",
    "console.site_domains": "修改网站域名",
    "console.protected_terms": "修改繁体转换专有名词保护词典",
    "console.site_frozen": "应急冻结（只读）",
    "console.site_unfrozen": "解除冻结",
    "console.backup": "备份网站",
    "console.restore": "恢复网站",
    "audit.export": "导出审计日志",
    "audit.verified": "审计日志完整性校验",
    "console.audit_purge": "清理过期审计记录",
    "console.calendar": "修改节假日安排",
    "console.evaluation_settings": "修改绩效评估设置",  # federation.monitoring
    # security incidents and the emergency plan's steps (tenants.incidents)
    "incident.reported": "报告安全事件",
    "incident.acknowledged": "确认安全事件",
    "incident.handled": "处置安全事件",
    "incident.closed": "安全事件结案",
    "incident.level": "调整安全事件级别",
    "incident.freeze": "安全事件应急冻结网站",
}

# What the console does to a site is recorded twice, in the console's chain and in the site's
# (its admins read it there): a reader of every chain at once sees the console's copy only.
MIRRORED_IN_SITE_CHAINS = frozenset(
    {
        "console.site_provisioned",
        "console.site_status",
        "console.site_registry",
        "console.site_domains",
        "console.site_frozen",
        "console.site_unfrozen",
        "console.backup",
        "console.restore",
    }
)


def label(event_type: str) -> str:
    return EVENT_TYPES.get(event_type, event_type)
