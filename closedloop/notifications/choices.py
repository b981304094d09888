from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("预警")
    DANGER = "danger", _("严重")


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    FEISHU = "feishu", _("飞书")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


BOT_CHANNELS = (Channel.FEISHU, Channel.WECOM, Channel.DINGTALK)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    DEAD = "dead", _("已放弃")


#: Attempts before a delivery is given up (then it stays in the log as ``dead``).
MAX_ATTEMPTS = 8
