// Group chat (templates/chat/room.html): new, edited and deleted messages arrive over a WebSocket, and the
// composer sends over it. Without a socket (no JavaScript, or the connection is down) the composer and the
// delete buttons are plain forms that post to the page. Enter sends; Shift+Enter starts a new line.
(function () {
  "use strict";

  var root = document.getElementById("chat-room");
  if (!root || !("WebSocket" in window)) {
    return;
  }
  var log = document.getElementById("chat-log");
  var live = document.getElementById("chat-live");
  var status = document.getElementById("chat-status");
  var form = document.getElementById("chat-composer");
  var input = form ? form.querySelector("textarea") : null;
  // A page of older messages is history: new ones belong on the newest page only.
  var atNewest = !new URLSearchParams(window.location.search).has("before");
  var url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + root.dataset.socketPath;
  var socket = null;
  var attempts = 0;
  // What was last sent, until the room echoes it back: a refused post puts it back in the composer.
  var pending = "";
  var REFUSED = 4404;

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function send(frame) {
    socket.send(JSON.stringify(frame));
  }

  function say(text) {
    status.textContent = text;
  }

  function scrollToNewest() {
    log.scrollTop = log.scrollHeight;
  }

  function newestId() {
    var items = log.querySelectorAll(".chat-message");
    return items.length ? Number(items[items.length - 1].dataset.messageId) : 0;
  }

  function markRead() {
    if (isOpen() && atNewest && document.visibilityState === "visible") {
      send({ type: "read", id: newestId() });
    }
  }

  function announce(item) {
    var author = item.querySelector(".chat-meta strong");
    var body = item.querySelector(".chat-body");
    live.textContent = (author ? author.textContent : "") + ": " + (body ? body.textContent : "");
  }

  function receive(frame) {
    if (frame.type === "error") {
      say(frame.message);
      if (pending && input && !input.value) {
        input.value = pending;
        input.focus();
      }
      pending = "";
      return;
    }
    if (frame.type !== "message") {
      return;
    }
    var holder = document.createElement("template");
    holder.innerHTML = frame.html.trim();
    var item = holder.content.firstElementChild;
    var existing = document.getElementById("chat-message-" + frame.id);
    if (existing) {
      existing.replaceWith(item);
      return;
    }
    if (!atNewest) {
      return;
    }
    var empty = document.getElementById("chat-empty");
    if (empty) {
      empty.remove();
    }
    log.appendChild(item);
    scrollToNewest();
    if (frame.mine) {
      pending = "";
    } else {
      announce(item);
    }
    markRead();
  }

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      attempts = 0;
      root.dataset.connected = "true";
      say("");
      markRead();
    });
    socket.addEventListener("message", function (event) {
      receive(JSON.parse(event.data));
    });
    socket.addEventListener("close", function (event) {
      root.dataset.connected = "false";
      if (event.code === REFUSED) {
        say("You cannot join this room.");
        return;
      }
      // Back off up to half a minute; what was said meanwhile is on the page after a reload.
      attempts = Math.min(attempts + 1, 6);
      say("Connection lost; reconnecting…");
      window.setTimeout(connect, 500 * Math.pow(2, attempts - 1));
    });
  }

  if (form && input) {
    form.addEventListener("submit", function (event) {
      if (!isOpen()) {
        return; // the plain form posts instead
      }
      event.preventDefault();
      if (!input.value.trim()) {
        say("Write a message first.");
        input.focus();
        return;
      }
      pending = input.value;
      send({ type: "post", body: pending });
      input.value = "";
      say("");
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  log.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.classList.contains("chat-delete") || !isOpen()) {
      return;
    }
    event.preventDefault();
    send({ type: "delete", id: Number(target.dataset.messageId) });
  });

  document.addEventListener("visibilitychange", markRead);
  if (atNewest) {
    scrollToNewest();
  }
  connect();
})();
