// The chat page's script. It lives in a static file, not inline in the template, so a
// Content-Security-Policy can forbid inline scripts (the capstone's does).
"use strict";

const form = document.getElementById("form");
const input = document.getElementById("messageText");
const messages = document.getElementById("messages");
const status = document.getElementById("status");

// No hard-coded host: the socket goes back to wherever this page came from, with wss: when the
// page was served over https: (a browser refuses ws: from an https: page).
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const socket = new WebSocket(`${scheme}//${location.host}${form.dataset.socketPath}`);

socket.addEventListener("open", () => {
  status.textContent = "connected";
});

socket.addEventListener("close", () => {
  status.textContent = "disconnected";
});

socket.addEventListener("message", (event) => {
  const item = document.createElement("li");
  // textContent, never innerHTML: whatever another member typed is shown as text, not parsed.
  item.textContent = event.data;
  messages.appendChild(item);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (input.value && socket.readyState === WebSocket.OPEN) {
    socket.send(input.value);
    input.value = "";
  }
});
