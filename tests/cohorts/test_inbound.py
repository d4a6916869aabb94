"""Replies by email: the signed address, and a real receiver (cohorts/receiver.py) fed with smtplib."""

import smtplib
from datetime import date, timedelta
from email.message import EmailMessage

import pytest

from cohorts import services
from cohorts.inbound import InboundRefused, reply_receive
from cohorts.models import Cohort, Message, Participant, Resource
from cohorts.receiver import receiver
from cohorts.reply_address import ReplyAddressError, reply_address, reply_target
from notifications.models import Email
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.smtp_sink import free_port

DOMAIN = "reply.example.org"
QUOTED = (
    "Count us in for the roundtable.\n"
    "\n"
    "--\n"
    "Maya Okafor\n"
    "River Data Trust\n"
    "\n"
    "On Tue, 24 Nov 2026 at 09:00, Data Stewards 2026 <reply+x@reply.example.org> wrote:\n"
    "> Who is coming on Thursday?\n"
    "> Please say by Wednesday.\n"
)


@pytest.fixture(autouse=True)
def _mail_settings(settings, tmp_path):
    settings.INBOUND_MAIL_DOMAIN = DOMAIN
    settings.SITE_URL = "https://cohorts.example.org"
    settings.MEDIA_ROOT = str(tmp_path)


def _thread():
    cohort = CohortFactory(name="Data Stewards 2026")
    membership = MembershipFactory(cohort=cohort)
    member = ParticipantFactory(membership=membership)
    ParticipantFactory(membership=membership, user__email="reader@example.org")
    thread = services.message_post(
        cohort=cohort, author=UserFactory(is_staff=True), subject="Roundtable", body="Who is coming on Thursday?"
    )
    return member, thread


def _mail(*, sender: str, to: str, text: str = QUOTED, message_id: str = "<abc-1@mail.example.net>", files=()):
    mail = EmailMessage()
    mail["From"] = f"Maya Okafor <{sender}>"
    mail["To"] = to
    mail["Subject"] = "Re: [Data Stewards 2026] Roundtable"
    mail["Message-ID"] = message_id
    mail.set_content(text)
    for name, content, maintype, subtype in files:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail


# --- The signed address -------------------------------------------------------------------


def test_a_reply_address_reads_back_as_its_person_and_thread():
    address = reply_address(user_id=42, thread_id=7, today=date(2026, 11, 24))
    assert address.startswith("reply+")
    assert address.endswith("@reply.example.org")
    assert len(address.split("@")[0]) <= 64
    target = reply_target(address.upper(), today=date(2026, 11, 25))  # some servers change the case
    assert (target.user_id, target.thread_id, target.issued_on) == (42, 7, date(2026, 11, 24))


def test_an_address_with_another_person_or_thread_is_forged():
    address = reply_address(user_id=42, thread_id=7, today=date(2026, 11, 24))
    local, domain = address.split("@")
    token = local.removeprefix("reply+")
    user, thread, day, mac = token.split("-")
    for forged in (f"reply+{'1a'}-{thread}-{day}-{mac}@{domain}", f"reply+{user}-{'8'}-{day}-{mac}@{domain}"):
        with pytest.raises(ReplyAddressError, match="This reply address is not valid"):
            reply_target(forged, today=date(2026, 11, 24))
    with pytest.raises(ReplyAddressError, match="No such mailbox here"):
        reply_target(f"{local}@elsewhere.example.org", today=date(2026, 11, 24))


def test_an_address_expires_after_the_days_set(settings):
    settings.REPLY_ADDRESS_DAYS = 30
    address = reply_address(user_id=42, thread_id=7, today=date(2026, 11, 1))
    assert reply_target(address, today=date(2026, 12, 1)).thread_id == 7
    with pytest.raises(ReplyAddressError, match="This reply address expired 30 days after its email was sent"):
        reply_target(address, today=date(2026, 12, 2))


@pytest.mark.django_db
def test_the_address_of_another_person_is_refused_and_posts_nothing():
    member, thread = _thread()
    someone_else = ParticipantFactory(membership=member.membership).user
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    with pytest.raises(InboundRefused, match="This reply address belongs to someone else"):
        reply_receive(address=address, raw=_mail(sender=someone_else.email, to=address).as_bytes())
    assert thread.replies.count() == 0


@pytest.mark.django_db
def test_a_reply_with_only_quoted_text_is_refused():
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    mail = _mail(sender=member.user.email, to=address, text="On Tue someone wrote:\n> Who is coming?\n")
    with pytest.raises(InboundRefused, match="Your reply is empty once the quoted text is removed"):
        reply_receive(address=address, raw=mail.as_bytes())
    assert thread.replies.count() == 0


@pytest.mark.django_db
def test_an_allowed_attachment_goes_to_the_library_and_a_refused_one_is_reported(mailoutbox):
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    files = [
        ("notes.pdf", b"%PDF-1.4 notes", "application", "pdf"),
        ("tool.exe", b"MZ binary", "application", "octet-stream"),
    ]
    received = reply_receive(address=address, raw=_mail(sender=member.user.email, to=address, files=files).as_bytes())
    (resource,) = Resource.objects.all()
    assert (resource.original_filename, resource.cohort_id, resource.added_by_id) == (
        "notes.pdf",
        thread.cohort_id,
        member.user.pk,
    )
    assert received.message.body == (
        "Count us in for the roundtable.\n\nAttached (in the resource library):\n"
        f"- notes.pdf: https://cohorts.example.org/cohorts/{thread.cohort.slug}/resources/{resource.pk}/file/"
    )
    assert received.refused_attachments == [
        ("tool.exe", "Files of type “.exe” cannot be shared. Allowed: "
         "csv, docx, jpeg, jpg, md, odp, ods, odt, pdf, png, pptx, txt, xlsx.")
    ]  # fmt: skip
    notice = Email.objects.get(kind="cohort_reply_attachments_refused")
    assert notice.to_email == member.user.email
    assert "- tool.exe: Files of type “.exe” cannot be shared." in notice.body_text


# --- The running receiver -----------------------------------------------------------------


@pytest.fixture
def smtp_port():
    port = free_port()
    controller = receiver(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_reply_sent_with_smtplib_appears_once_without_the_quote(smtp_port, mailoutbox):
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    mail = _mail(sender=member.user.email, to=address)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        assert smtp.send_message(mail) == {}
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(mail)  # delivered twice: posted once
    (reply,) = Message.objects.filter(parent=thread)
    assert reply.body == "Count us in for the roundtable."
    assert (reply.author_id, reply.cohort_id, reply.inbound_message_id) == (
        member.user.pk,
        thread.cohort_id,
        "<abc-1@mail.example.net>",
    )
    # Posted through the same service as the web form: the other participant gets it by email.
    assert list(Email.objects.filter(key__startswith=f"message:{reply.pk}:").values_list("to_email", flat=True)) == [
        "reader@example.org"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_forged_address_is_refused_at_rcpt_and_posts_nothing(smtp_port):
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    local, domain = address.split("@")
    forged = f"{local[:-4]}aaaa@{domain}"
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
        smtp.send_message(_mail(sender=member.user.email, to=forged))
    code, reason = exc.value.recipients[forged]
    assert (code, reason.decode()) == (550, "5.7.1 This reply address is not valid: reply from the email you received.")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
        smtp.send_message(_mail(sender=member.user.email, to="someone@reply.example.org"))
    assert exc.value.recipients["someone@reply.example.org"][0] == 550
    assert Message.objects.filter(parent=thread).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_non_member_and_an_alumnus_are_refused_with_a_reason(smtp_port):
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    Cohort.objects.filter(pk=thread.cohort_id).update(status=Cohort.Status.COMPLETED)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPDataError) as exc:
        smtp.send_message(_mail(sender=member.user.email, to=address))
    assert (exc.value.smtp_code, exc.value.smtp_error.decode()) == (
        550,
        "5.7.1 You cannot post in Data Stewards 2026 by email: it has ended: alumni read the archive.",
    )
    Cohort.objects.filter(pk=thread.cohort_id).update(status=Cohort.Status.RUNNING)
    Participant.objects.filter(pk=member.pk).delete()
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPDataError) as exc:
        smtp.send_message(_mail(sender=member.user.email, to=address, message_id="<abc-2@mail.example.net>"))
    assert exc.value.smtp_error.decode() == (
        "5.7.1 You cannot post in Data Stewards 2026 by email: you no longer take part in it."
    )
    assert Message.objects.filter(parent=thread).count() == 0


@pytest.mark.django_db(transaction=True)
def test_lmtp_delivery_posts_too():
    port = free_port()
    controller = receiver(host="127.0.0.1", port=port, lmtp=True)
    controller.start()
    try:
        member, thread = _thread()
        address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
        with smtplib.LMTP("127.0.0.1", port, timeout=10) as lmtp:
            assert lmtp.send_message(_mail(sender=member.user.email, to=address)) == {}
    finally:
        controller.stop()
    assert list(Message.objects.filter(parent=thread).values_list("body", flat=True)) == [
        "Count us in for the roundtable."
    ]


def test_expired_addresses_are_dated_from_their_email(settings):
    settings.REPLY_ADDRESS_DAYS = 1
    today = date(2026, 11, 24)
    address = reply_address(user_id=1, thread_id=1, today=today - timedelta(days=2))
    with pytest.raises(ReplyAddressError, match="expired 1 days"):
        reply_target(address, today=today)


@pytest.mark.django_db
def test_a_reply_in_an_unknown_charset_is_posted_with_what_can_be_read():
    member, thread = _thread()
    address = reply_address(user_id=member.user.pk, thread_id=thread.pk)
    raw = (
        f"From: {member.user.email}\r\nTo: {address}\r\nSubject: Re: x\r\nMessage-ID: <cs@mail.example.net>\r\n"
        "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nPlain words here.\r\n"
    ).encode()
    received = reply_receive(address=address, raw=raw)
    assert received.message.body == "Plain words here."
