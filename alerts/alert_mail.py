"""The price-alert email: its words in Chinese with English beside, and its sending over SMTP. No Flask.

`SMTP_URL` says where: smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or
smtps://… (TLS from the start). Sending raises on any failure, so the task's retries try again.
"""

import smtplib
import ssl
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from pricing.display import N_, price_per_unit, word

TIMEOUT_SECONDS = 20
SUBJECT = N_("Price alert: %(model)s is at %(price)s")
LINES = (
    N_("%(model)s is now at %(price)s, at or below your price of %(threshold)s."),
    N_("The cheapest matching offer: %(link)s"),
    N_("Your price alerts: %(alerts)s"),
)


@dataclass(frozen=True)
class AlertMail:
    to: str
    model: str  # the model's display name
    kind: str  # gpu | token: which normalized unit the prices are in
    price: Decimal
    threshold: Decimal
    offer_url: str
    alerts_url: str


def _values(mail: AlertMail, lang: str) -> dict:
    return {"model": mail.model, "price": price_per_unit(mail.price, mail.kind, lang),
            "threshold": price_per_unit(mail.threshold, mail.kind, lang), "link": mail.offer_url,
            "alerts": mail.alerts_url}


def compose(mail: AlertMail, sender: str) -> EmailMessage:
    """The message: subject '中文 · English', body the Chinese lines then the English ones."""
    zh, en = _values(mail, "zh"), _values(mail, "en")
    message = EmailMessage()
    message["Subject"] = f"{word(SUBJECT, 'zh', **zh)} · {word(SUBJECT, 'en', **en)}"
    message["From"] = sender
    message["To"] = formataddr(("", mail.to))
    message["Message-ID"] = make_msgid(domain="compute-market")
    body = [word(line, "zh", **zh) for line in LINES] + [""] + [word(line, "en", **en) for line in LINES]
    message.set_content("\n".join(body) + "\n")
    return message


def send(smtp_url: str, message: EmailMessage) -> None:
    """Send one message through the server `smtp_url` names. :raise OSError, smtplib.SMTPException: not sent."""
    parts = urlsplit(smtp_url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
