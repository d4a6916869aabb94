from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from chat import realtime, selectors, services
from chat.forms import ComposerForm, EditForm, MentionEmailsForm
from chat.permissions import can_change_message, can_post_in_room, cannot_post_reason
from cohorts.selectors import cohort_visible_or_404


@login_required
@require_http_methods(["GET", "POST"])
def room_list(request, slug):
    """The cohort's rooms with what each holds unread for this person, and their mention-email switch."""
    cohort = cohort_visible_or_404(request.user, slug)
    # An unticked box posts nothing: the form is bound on any POST, not only a non-empty one.
    initial = {"wanted": services.mention_emails_wanted(request.user)}
    form = MentionEmailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.mention_emails_set(user=request.user, wanted=form.cleaned_data["wanted"])
        messages.success(request, "Your chat email setting is saved.")
        return redirect("chat:rooms", slug=cohort.slug)
    rooms = selectors.rooms_with_unread(request.user, cohort)
    return render(request, "chat/room_list.html", {"cohort": cohort, "rooms": rooms, "form": form})


def _before(request) -> int | None:
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        return None
    return before if before > 0 else None


@login_required
@require_http_methods(["GET", "POST"])
def room(request, slug, theme=None):
    """A room: the newest page of history (or the page before ``?before=``), and the composer for those who may post.

    The composer is a plain form: without JavaScript it posts here; chat.js sends it over the socket.
    """
    room = selectors.room_visible_or_404(request.user, slug, theme)
    can_post = can_post_in_room(request.user, room)
    form = ComposerForm(request.POST or None)
    if request.method == "POST" and not can_post:
        raise Http404("No Room matches the given query.")  # alumni and others who only read: as the thread page
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_post(room=room, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            realtime.broadcast(room.pk, selectors.messages_data(room, [message])[0])
            return redirect(room)
    before = _before(request)
    page, has_older = selectors.history_page(room, before=before)
    context = {
        "cohort": room.cohort,
        "room": room,
        "rooms": selectors.rooms_with_unread(request.user, room.cohort),
        "items": _items(request, room, page, can_post),
        "has_older": has_older,
        "oldest_id": page[0].pk if page else None,
        "before": before,
        "form": form,
        "can_post": can_post,
        "why_not": "" if can_post else cannot_post_reason(request.user, room.cohort),
    }
    if request.htmx and before is not None:
        return render(request, "chat/_older.html", context)
    if before is None:
        services.room_mark_read(user=request.user, room=room, up_to_id=page[-1].pk if page else 0)
    return render(request, "chat/room.html", context, status=400 if form.errors else 200)


def _items(request, room, page, can_post) -> list[str]:
    token = get_token(request)
    return [
        realtime.render_message(
            data, viewer_id=request.user.pk, zone=request.user.time_zone, can_post=can_post, csrf_token=token
        )
        for data in selectors.messages_data(room, page)
    ]


@login_required
def room_message(request, pk):
    """Where a mention email links: the message's room, at the message."""
    message = selectors.message_in_room_or_404(request.user, pk)
    return redirect(f"{message.room.get_absolute_url()}#chat-message-{message.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, pk):
    message = selectors.message_in_room_or_404(request.user, pk)
    if not can_change_message(request.user, message):
        raise Http404("No ChatMessage matches the given query.")
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_edit(message=message, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            realtime.broadcast(message.room_id, selectors.messages_data(message.room, [message])[0])
            messages.success(request, "Your message is changed.")
            return redirect(f"{message.room.get_absolute_url()}#chat-message-{message.pk}")
    context = {"cohort": message.room.cohort, "room": message.room, "message": message, "form": form}
    return render(request, "chat/message_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def message_delete(request, pk):
    message = selectors.message_in_room_or_404(request.user, pk)
    try:
        message = services.message_delete(message=message, user=request.user)
    except PermissionDenied:
        raise Http404("No ChatMessage matches the given query.") from None
    realtime.broadcast(message.room_id, selectors.messages_data(message.room, [message])[0])
    messages.success(request, "Your message is deleted.")
    return redirect(message.room)
