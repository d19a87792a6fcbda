// The room page's client: one WebSocket per page, plain JavaScript, no framework.
//
// Promises it keeps (the server keeps the other half, see docs/capstone/architecture.md):
// - every user string is rendered with textContent, never parsed as HTML;
// - messages are shown in `seq` order, each seq once, however often the server repeats it;
// - a message typed while the socket is down, or sent but not acknowledged, is kept and resent with
//   the SAME client_msg_id after a reconnect, so the server stores it once;
// - after a drop it reconnects with exponential backoff and jitter, and asks only for what it
//   missed: `since=<the last seq it has seen>`.
"use strict";

(function () {
  const root = document.getElementById("chat");
  if (!root) return;

  const room = root.dataset.room;
  const me = root.dataset.user;
  const list = document.getElementById("messages");
  const statusLine = document.getElementById("status");
  const typingLine = document.getElementById("typing");
  const errorLine = document.getElementById("chat-error");
  const onlineList = document.getElementById("online");
  const sendForm = document.getElementById("send-form");
  const textInput = document.getElementById("message-text");
  const uploadForm = document.getElementById("upload-form");
  const fileInput = document.getElementById("upload-file");
  const newButton = document.getElementById("new-messages");
  const emptyHint = document.getElementById("empty-room");
  const sendButton = document.getElementById("send-button");

  // Images the browser may show inline; anything else is offered as a download link.
  const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
  const TYPING_EVERY_MS = 2000; // send at most one typing frame per this interval
  const TYPING_SHOWN_MS = 4000; // how long "X is typing" stays without a new frame
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 15000;
  const RETRY_REFUSED_MS = 3000; // resend after a rate-limit or server-error frame

  let socket = null;
  let lastSeq = 0; // the highest seq received in a message frame: what `since` asks after
  let attempt = 0; // reconnect attempts since the last successful open
  let reconnectTimer = null;
  let countdownTimer = null; // ticks the "reconnecting in N s" down each second
  let retryTimer = null;
  let lastTypingSent = 0;
  let leaving = false;
  const shown = new Map(); // seq -> <li>, for de-duplication and ordering
  const pending = new Map(); // client_msg_id -> {text, item}, sent or not, not yet acknowledged
  const typers = new Map(); // username -> timer that hides them
  const encoder = new TextEncoder();
  // The reader is at the bottom of the list: whatever grows it (a message, an image that loads
  // after its message was placed) keeps the newest message in view. Scrolled up, the list stays
  // where the reader put it and a "new messages" button says what came.
  let stuck = true;
  let unseen = 0; // messages from others that came while the reader was scrolled up
  // Messages from others after `readUpTo` (the last seq when the tab was hidden) are counted in
  // the tab's title while it stays hidden. A page opened in a background tab has read nothing
  // yet, but its history is not news: it counts from the room's newest message when it loaded.
  const title = document.title;
  let readUpTo = document.hidden ? Infinity : 0;
  const MAX_SEQ = Number.MAX_SAFE_INTEGER;

  // ---- the connection --------------------------------------------------------------------------

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // The login cookie authenticates the handshake: no token ever goes into this URL.
    return scheme + "//" + location.host + "/ws/rooms/" + encodeURIComponent(room) +
      "?since=" + lastSeq;
  }

  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    stopCountdown();
    if (socket !== null) return;
    if (navigator.onLine === false) {
      setStatus("offline", "offline — will reconnect when the network is back");
      return;
    }
    setStatus("connecting", attempt ? "reconnecting…" : "connecting…");
    const ws = new WebSocket(socketUrl());
    let opened = false;
    socket = ws;
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      opened = true;
      attempt = 0;
      setStatus("online", "connected");
      checkNewest();
      // Whatever was not acknowledged goes again, oldest first, with the same client_msg_id: the
      // server answers a repeat with the seq it already gave, and stores nothing new.
      for (const [id, entry] of pending) transmit(id, entry.text);
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      receive(frame);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (opened) onClosed(event.code, event.reason);
      else onRefused();
    });
  }

  // A handshake the server refuses (bad origin, no valid login) is answered before the socket
  // opens, so the page only sees 1006, like a network failure. Ask the API which one it was.
  async function onRefused() {
    if (leaving) return;
    try {
      const response = await fetch("/api/users/me", { credentials: "same-origin" });
      if (response.status === 401) {
        setStatus("closed", "signed out — taking you to the login page");
        location.assign("/login");
        return;
      }
    } catch {
      // The server is unreachable: the same backoff applies.
    }
    scheduleReconnect("");
  }

  function onClosed(code, reason) {
    clearTypers();
    onlineList.replaceChildren();
    if (leaving) return;
    if (code === 1008) {
      // Policy: the login expired or is not valid here. Logging in again is the only way on.
      setStatus("closed", "signed out — taking you to the login page");
      location.assign("/login");
      return;
    }
    if (code === 1009) {
      // A frame we sent was over the server's limit: the largest one waiting is the culprit, and
      // sending it again would only loop. It stays on screen, marked, and leaves `pending`.
      let largest = null;
      let largestSize = -1;
      for (const [id, entry] of pending) {
        const size = encoder.encode(JSON.stringify({ text: entry.text, id: id })).length;
        if (size > largestSize) {
          largest = id;
          largestSize = size;
        }
      }
      if (largest !== null) {
        const entry = pending.get(largest);
        pending.delete(largest);
        entry.item.classList.remove("pending");
        entry.item.classList.add("failed");
        setMeta(entry.item, "too large, not sent");
      }
      showError("That message is too large to send.");
    }
    if (code === 1013) {
      // Evicted for falling behind: nothing is lost, `since` fetches the rest. Come back soon.
      attempt = 0;
    }
    scheduleReconnect(reason);
  }

  function scheduleReconnect(reason) {
    if (reconnectTimer !== null) return;
    if (navigator.onLine === false) {
      // Retrying without a network only burns attempts; the "online" event reconnects at once.
      setStatus("offline", "offline — will reconnect when the network is back");
      return;
    }
    // Exponential backoff with jitter: after an outage, clients must not all come back at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    attempt += 1;
    const why = reason ? " (" + reason + ")" : "";
    const due = Date.now() + delay;
    const tick = () => {
      const left = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      setStatus("reconnecting", "disconnected" + why + " — reconnecting in " + left + " s");
      // The next tick when the shown number changes, not a drifting second from now.
      const rest = due - Date.now();
      countdownTimer = rest > 0 ? setTimeout(tick, rest % 1000 || 1000) : null;
    };
    stopCountdown();
    tick();
    reconnectTimer = setTimeout(connect, delay);
  }

  function stopCountdown() {
    clearTimeout(countdownTimer);
    countdownTimer = null;
  }

  function send(frame) {
    if (socket === null || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function transmit(id, text) {
    send({ type: "message", text: text, client_msg_id: id });
  }

  // Stops listening to a socket at once; its close event, whenever it comes, is ignored.
  function abandon(reason) {
    if (socket === null) return;
    const ws = socket;
    socket = null;
    ws.close(1000, reason);
    clearTypers();
    onlineList.replaceChildren();
  }

  // Going offline: the socket may hang on for minutes before it notices; close it now and resume
  // with `since` when the network is back.
  window.addEventListener("offline", () => {
    abandon("offline");
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    stopCountdown();
    setStatus("offline", "offline — will reconnect when the network is back");
  });
  window.addEventListener("online", () => {
    attempt = 0;
    connect();
  });
  window.addEventListener("pagehide", () => {
    leaving = true;
    abandon("page closed");
  });
  window.addEventListener("pageshow", (event) => {
    // Back from the browser's page cache: the socket was closed on the way out.
    if (event.persisted) {
      leaving = false;
      connect();
    }
  });

  // ---- frames from the server ------------------------------------------------------------------

  function receive(frame) {
    switch (frame.type) {
      case "message":
        onMessage(frame);
        break;
      case "ack":
        onAck(frame);
        break;
      case "presence":
        onPresence(frame);
        break;
      case "typing":
        onTyping(frame);
        break;
      case "error":
        onError(frame);
        break;
      default:
        break; // a frame type this client does not know yet: ignore it
    }
  }

  function onMessage(message) {
    const seq = Number(message.seq);
    if (!Number.isInteger(seq)) return;
    if (seq > lastSeq) lastSeq = seq;
    stopTyping(message.author);
    if (message.author === me) settle(message.client_msg_id);
    const item = shown.get(seq);
    if (item) {
      // Seen already (a resend, or the ack came first): complete it, never add it twice.
      if (message.attachment && !item.querySelector(".attachment")) {
        item.append(renderAttachment(message.attachment));
      }
      return;
    }
    place(seq, renderMessage(message));
    if (document.hidden) showUnread();
  }

  function showUnread() {
    let unread = 0;
    if (document.hidden) {
      for (const item of list.querySelectorAll(":scope > li.message:not(.mine)")) {
        if (Number(item.dataset.seq) > readUpTo) unread += 1;
      }
    }
    document.title = unread ? "(" + unread + ") " + title : title;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) readUpTo = lastSeq;
    else renameDays();
    showUnread();
  });

  function onAck(ack) {
    const seq = Number(ack.seq);
    if (!Number.isInteger(seq)) return;
    const entry = settle(ack.client_msg_id);
    if (!entry) return;
    // The ack does not move `lastSeq`: messages before this seq may still be on their way, and
    // `since` must not skip them. It only gives our own message its place.
    if (!shown.has(seq)) {
      // The ack carries no time; the server's own is within a round trip of now.
      place(seq, renderMessage({
        seq: seq, author: me, text: entry.text, client_msg_id: ack.client_msg_id,
        sent_at: new Date().toISOString(),
      }));
    }
  }

  function onError(error) {
    showError(String(error.detail || error.code || "the server refused a frame"));
    // Refused for now, not for ever: the unacknowledged messages go again a little later, with
    // their ids, so none is stored twice. (A bad frame would be refused again: not retried.)
    const retriable = error.code === "rate_limited" || error.code === "server_error";
    errorLine.dataset.retriable = retriable ? "yes" : "";
    if (retriable && retryTimer === null) {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        for (const [id, entry] of pending) transmit(id, entry.text);
      }, RETRY_REFUSED_MS);
    }
  }

  // Our own message is stored (its ack or its frame came back): it is no longer pending.
  function settle(id) {
    const entry = pending.get(id);
    if (!entry) return null;
    pending.delete(id);
    const next = entry.item.nextElementSibling;
    entry.item.remove();
    relate(next);
    if (sizes) sizes.unobserve(entry.item);
    // Everything refused for now has gone through: the warning is out of date.
    if (pending.size === 0 && errorLine.dataset.retriable === "yes") clearError();
    return entry;
  }

  function onPresence(presence) {
    const names = Array.isArray(presence.online) ? presence.online.slice().sort() : [];
    const items = names.map((name) => {
      const li = document.createElement("li");
      li.textContent = String(name);
      if (name === me) li.classList.add("me");
      return li;
    });
    onlineList.replaceChildren(...items);
  }

  function onTyping(typing) {
    const user = String(typing.user || "");
    if (!user || user === me) return;
    clearTimeout(typers.get(user));
    typers.set(user, setTimeout(() => stopTyping(user), TYPING_SHOWN_MS));
    renderTypers();
  }

  function stopTyping(user) {
    if (!typers.has(user)) return;
    clearTimeout(typers.get(user));
    typers.delete(user);
    renderTypers();
  }

  function clearTypers() {
    for (const timer of typers.values()) clearTimeout(timer);
    typers.clear();
    renderTypers();
  }

  function renderTypers() {
    const names = Array.from(typers.keys()).sort();
    if (names.length === 0) typingLine.textContent = "";
    else if (names.length === 1) typingLine.textContent = names[0] + " is typing…";
    else typingLine.textContent = names.join(", ") + " are typing…";
  }

  // ---- rendering: textContent only -------------------------------------------------------------

  // A message says who wrote it and when; the ones after it by the same author within a few
  // minutes share that header, and the first message of each day is preceded by that day's name.
  // Times are the reader's: the browser's locale and time zone.
  function renderMessage(message) {
    const li = document.createElement("li");
    li.className = "message";
    if (message.author === me) li.classList.add("mine");
    if (message.seq !== undefined && message.seq !== null) li.dataset.seq = String(message.seq);
    li.dataset.author = String(message.author);

    const day = document.createElement("p");
    day.className = "day";
    day.setAttribute("role", "separator");
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = String(message.author);
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = String(message.text ?? "");
    if (me && text.textContent.includes("@" + me)) li.classList.add("mention");
    const meta = document.createElement("time");
    meta.className = "meta";
    const when = parseTime(message.sent_at);
    // A message still being sent has no server time yet: it belongs to now.
    li.dataset.time = String((when || new Date()).getTime());
    if (when) {
      meta.dateTime = when.toISOString();
      meta.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      meta.title = when.toLocaleString([], { dateStyle: "full", timeStyle: "short" });
    }
    li.append(day, author, text, meta);
    if (message.attachment) li.append(renderAttachment(message.attachment));
    return li;
  }

  // The server's times are UTC. One without a zone (SQLite keeps none) is read as UTC too, not
  // as the browser's local time.
  function parseTime(value) {
    if (!value) return null;
    let text = String(value);
    if (/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(text)) text += "Z";
    const when = new Date(text);
    return Number.isNaN(when.getTime()) ? null : when;
  }

  const GROUP_WITHIN_MS = 5 * 60 * 1000;

  function dayKey(date) {
    return date.getFullYear() + "-" + date.getMonth() + "-" + date.getDate();
  }

  function dayName(date) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(date) === dayKey(today)) return "Today";
    if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
    return date.toLocaleDateString([], {
      weekday: "long", year: "numeric", month: "long", day: "numeric",
    });
  }

  // "Today" turns into "Yesterday" at midnight: the day names are written again then, and
  // whenever the page comes back into view (a phone asleep past midnight ran no timer).
  function renameDays() {
    for (const item of list.querySelectorAll(":scope > li.message.new-day")) {
      item.querySelector(".day").textContent = dayName(new Date(Number(item.dataset.time)));
    }
  }

  function renameDaysAtMidnight() {
    const now = new Date();
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    setTimeout(() => {
      renameDays();
      renameDaysAtMidnight();
    }, midnight - now + 1000);
  }

  // Sets how `item` joins the one before it: a new day, a new author's header, or a message
  // continuing its author's group.
  function relate(item) {
    if (!item || !item.classList.contains("message")) return;
    const before = item.previousElementSibling;
    const time = new Date(Number(item.dataset.time));
    const beforeTime = before ? new Date(Number(before.dataset.time)) : null;
    const newDay = !beforeTime || dayKey(beforeTime) !== dayKey(time);
    const continues = !newDay && before.dataset.author === item.dataset.author &&
      time - beforeTime < GROUP_WITHIN_MS;
    item.classList.toggle("new-day", newDay);
    item.classList.toggle("continued", continues);
    item.querySelector(".day").textContent = newDay ? dayName(time) : "";
  }

  function renderAttachment(attachment) {
    const box = document.createElement("div");
    box.className = "attachment";
    const href = "/api/attachments/" + encodeURIComponent(String(attachment.id));
    const link = document.createElement("a");
    link.href = href;
    link.textContent = String(attachment.filename) + " (" + formatSize(attachment.size) + ")";
    if (INLINE_IMAGES.has(String(attachment.content_type))) {
      const img = document.createElement("img");
      img.src = href;
      img.alt = String(attachment.filename);
      img.className = "attachment-image";
      const imageLink = document.createElement("a");
      imageLink.href = href;
      imageLink.append(img);
      box.append(imageLink);
    } else {
      link.download = String(attachment.filename);
    }
    box.append(link);
    return box;
  }

  function formatSize(bytes) {
    const n = Number(bytes);
    if (!Number.isFinite(n)) return "?";
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1024 / 1024).toFixed(1) + " MiB";
  }

  function setMeta(item, text) {
    const meta = item.querySelector(".meta");
    if (meta) meta.textContent = text;
  }

  // Keeps the list in seq order whatever order frames come in; unacknowledged messages stay last.
  function place(seq, item) {
    shown.set(seq, item);
    let before = null;
    for (const other of list.children) {
      const otherSeq = other.dataset.seq === undefined ? Infinity : Number(other.dataset.seq);
      if (otherSeq > seq) {
        before = other;
        break;
      }
    }
    list.insertBefore(item, before);
    relate(item);
    relate(item.nextElementSibling);
    emptyHint.hidden = true;
    watchSize(item);
    if (stuck) toBottom();
    else if (!item.classList.contains("mine")) {
      unseen += 1;
      newButton.textContent = unseen === 1 ? "1 new message ↓" : unseen + " new messages ↓";
      newButton.hidden = false;
    }
  }

  // The socket cannot say "that was all the history", so the history is asked for the room's
  // newest message: none, and the empty room says so instead of being a blank box; and a page
  // opened in a background tab counts as unread only what comes after it.
  async function checkNewest() {
    if (list.children.length > 0 && readUpTo !== Infinity) return;
    let messages;
    try {
      const response = await fetch(
        "/api/rooms/" + encodeURIComponent(room) + "/messages?limit=1&before=" + MAX_SEQ,
        { credentials: "same-origin", headers: { Accept: "application/json" } },
      );
      if (!response.ok) return;
      messages = await response.json();
    } catch {
      return; // unreachable: asked again on the next connection
    }
    if (!Array.isArray(messages)) return;
    emptyHint.hidden = !(messages.length === 0 && list.children.length === 0);
    if (readUpTo === Infinity) {
      readUpTo = messages.length ? Number(messages[0].seq) : 0;
      showUnread();
    }
  }

  // ---- keeping the newest message in view ------------------------------------------------------

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  }

  function toBottom() {
    stuck = true;
    list.scrollTop = list.scrollHeight;
    unseen = 0;
    newButton.hidden = true;
  }

  // Only the reader moves `stuck`: a scroll we make lands at the bottom and keeps it true.
  list.addEventListener("scroll", () => {
    stuck = nearBottom();
    if (stuck) {
      unseen = 0;
      newButton.hidden = true;
    }
  });
  newButton.addEventListener("click", toBottom);

  // An image loads after its message was placed and scrolled to; so may a font, or the list may
  // shrink (a phone's keyboard). Whatever changes size, a reader at the bottom stays there.
  const sizes = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => {
      if (stuck) list.scrollTop = list.scrollHeight;
    })
    : null;
  if (sizes) sizes.observe(list);

  function watchSize(item) {
    if (sizes) {
      sizes.observe(item);
      return;
    }
    for (const img of item.querySelectorAll("img")) {
      img.addEventListener("load", () => {
        if (stuck) list.scrollTop = list.scrollHeight;
      });
    }
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = false;
  }

  function clearError() {
    errorLine.dataset.retriable = "";
    errorLine.textContent = "";
    errorLine.hidden = true;
  }

  // ---- what the user does ----------------------------------------------------------------------

  function newId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // randomUUID needs a secure context (https or localhost); getRandomValues does not.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" +
      h.slice(16, 20) + "-" + h.slice(20);
  }

  sendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textInput.value.trim();
    if (!text) return;
    clearError();
    const id = newId();
    const item = renderMessage({ author: me, text: text, client_msg_id: id, sent_at: null });
    item.classList.add("pending");
    item.dataset.clientMsgId = id;
    setMeta(item, "sending…");
    list.append(item);
    relate(item);
    emptyHint.hidden = true;
    watchSize(item);
    toBottom(); // what one writes, one wants to see
    pending.set(id, { text: text, item: item });
    transmit(id, text); // when the socket is down, the open handler sends it later
    textInput.value = "";
    updateSendButton();
    textInput.focus();
  });

  // Blank or only spaces is nothing to send: the button says so by being disabled, and Enter
  // does nothing, rather than taking the input and silently dropping it.
  function updateSendButton() {
    sendButton.disabled = textInput.value.trim() === "";
  }

  textInput.addEventListener("input", () => {
    updateSendButton();
    const now = Date.now();
    if (textInput.value && now - lastTypingSent >= TYPING_EVERY_MS && send({ type: "typing" })) {
      lastTypingSent = now;
    }
  });

  uploadForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    clearError();
    const body = new FormData();
    body.append("file", file);
    const button = uploadForm.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch("/api/rooms/" + encodeURIComponent(room) + "/attachments", {
        method: "POST",
        body: body,
        credentials: "same-origin",
      });
      if (response.status === 401) {
        location.assign("/login");
        return;
      }
      if (response.status === 413) {
        showError("Upload refused: the file is larger than the server accepts.");
        return;
      }
      if (!response.ok) {
        showError("Upload refused: " + (await describeError(response)));
        return;
      }
      // The server announces the file in the room as a message: the socket brings it here too.
      uploadForm.reset();
    } catch {
      showError("Upload failed: the server could not be reached.");
    } finally {
      button.disabled = false;
    }
  });

  async function describeError(response) {
    let detail = null;
    try {
      detail = (await response.json()).detail;
    } catch {
      detail = null;
    }
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => String(d.msg || d)).join("; ");
    return "HTTP " + response.status;
  }

  updateSendButton();
  renameDaysAtMidnight();
  connect();
})();
