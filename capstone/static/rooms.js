// The room list: refreshed from GET /api/rooms (when the page loads, every ROOMS_REFRESH_MS while
// it is visible, and when it comes back into view), and a form that creates a room with
// POST /api/rooms.
// Every name is rendered with textContent; the server's refusals (409 taken, 422 bad name) are
// shown to the user as they come.
"use strict";

(function () {
  const root = document.getElementById("rooms");
  if (!root) return;

  const list = document.getElementById("room-list");
  const empty = document.getElementById("no-rooms");
  const form = document.getElementById("create-room");
  const nameInput = document.getElementById("room-name");
  const errorLine = document.getElementById("create-error");
  const ROOMS_REFRESH_MS = 5000;

  function roomItem(room) {
    const li = document.createElement("li");
    li.dataset.room = String(room.name);
    const link = document.createElement("a");
    link.href = "/rooms/" + encodeURIComponent(String(room.name));
    link.textContent = "#" + String(room.name);
    li.append(link);
    if (room.member) {
      li.classList.add("member");
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "joined";
      li.append(" ", badge);
    }
    return li;
  }

  let rendered = null; // what the list shows, to leave it (and the focus in it) alone if unchanged

  function render(rooms) {
    const key = JSON.stringify(rooms.map((room) => [String(room.name), Boolean(room.member)]));
    if (key === rendered) return;
    rendered = key;
    list.replaceChildren(...rooms.map(roomItem));
    empty.hidden = rooms.length > 0;
  }

  async function refresh() {
    try {
      const response = await fetch("/api/rooms", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        location.assign("/login");
        return;
      }
      if (!response.ok) return; // keep the list the server rendered
      const rooms = await response.json();
      if (Array.isArray(rooms)) render(rooms);
    } catch {
      // Offline: the server-rendered list stays.
    }
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = false;
  }

  async function describeError(response, name) {
    let detail = null;
    try {
      detail = (await response.json()).detail;
    } catch {
      detail = null;
    }
    if (response.status === 409) return "A room named “" + name + "” already exists.";
    if (typeof detail === "string") return detail;
    if (response.status === 422) {
      // FastAPI's validation list: a problem with `name` is explained in the page's words.
      const problems = Array.isArray(detail) ? detail : [];
      if (problems.every((d) => Array.isArray(d.loc) && d.loc[d.loc.length - 1] === "name")) {
        return "Invalid room name: use 1 to 40 lower-case letters, digits and hyphens.";
      }
      return "Invalid room: " + problems.map((d) => String(d.msg || d)).join("; ");
    }
    return "The room could not be created (HTTP " + response.status + ").";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    errorLine.hidden = true;
    errorLine.textContent = "";
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch("/api/rooms", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ name: name }),
      });
      if (response.status === 401) {
        location.assign("/login");
        return;
      }
      if (response.status !== 201) {
        showError(await describeError(response, name));
        return;
      }
      const room = await response.json();
      // The creator is a member already: go straight in.
      location.assign("/rooms/" + encodeURIComponent(String(room.name || name)));
    } catch {
      showError("The server could not be reached.");
    } finally {
      button.disabled = false;
    }
  });

  refresh();
  // Rooms others create show up without a reload; a hidden tab asks nothing, and catches up as
  // soon as it is looked at again.
  setInterval(() => {
    if (!document.hidden) refresh();
  }, ROOMS_REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  window.addEventListener("focus", refresh);
})();
