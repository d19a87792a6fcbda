// What a frontend build would emit: it shows the room's messages, read from the API beside it.
fetch("/rooms/general/messages")
  .then((response) => response.json())
  .then((messages) => {
    const list = document.getElementById("messages");
    for (const message of messages) {
      const item = document.createElement("li");
      item.textContent = `${message.author}: ${message.text}`;
      list.append(item);
    }
  });
