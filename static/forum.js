// Progressive enhancement. Without this file everything still works through
// plain links and forms.
"use strict";

const plainClick = (event) => event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey;

// "Reply" under a post moves the page's reply form there instead of opening the reply page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply-link");
  const form = document.getElementById("reply");
  if (!link || !form || !plainClick(event)) {
    return;
  }
  event.preventDefault();
  form.querySelector("input[name=parent_id]").value = link.dataset.parentId;
  form.querySelector("label[for=reply-body]").textContent = link.dataset.label;
  link.closest("article.post").after(form);
  form.querySelector("textarea").focus();
});

// "Delete" and "Hide" lead to a page that asks first; here that page's question
// opens in a dialog over the current page. Anything unexpected falls back to the page.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-dialog]");
  if (!link || !plainClick(event) || typeof HTMLDialogElement !== "function") {
    return;
  }
  event.preventDefault();
  let question = null;
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (response.ok) {
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      question = page.querySelector("section.confirm");
    }
  } catch {
    question = null;
  }
  if (!question) {
    window.location.assign(link.href);
    return;
  }
  const dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.append(document.adoptNode(question));
  const heading = dialog.querySelector("h1");
  if (heading) {
    heading.id = "confirm-dialog-heading";
    dialog.setAttribute("aria-labelledby", heading.id);
  }
  dialog.addEventListener("click", (click) => {
    if (click.target.closest(".dialog-cancel")) {
      click.preventDefault();
      dialog.close();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    link.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
});

// "Quote" under a post: with text of that post selected, the selection is quoted in the page's reply
// form; without a selection the link opens the reply page with the whole post quoted.
const selectedIn = (postId) => {
  const selection = window.getSelection();
  const text = selection ? selection.toString().trim() : "";
  const node = text && selection.anchorNode;
  if (!node) {
    return "";
  }
  const body = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest(".post-body");
  const inPost = body && body.contains(selection.focusNode) && body.closest("article.post").id === `post-${postId}`;
  return inPost ? text : "";
};

// Pressing the mouse on the link may clear the selection before the click: keep it from that moment.
let pressedSelection = "";
document.addEventListener("mousedown", (event) => {
  const link = event.target.closest("a.quote-link");
  pressedSelection = link ? selectedIn(link.dataset.postId) : "";
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.quote-link");
  const form = document.getElementById("reply");
  if (!link || !form || !plainClick(event)) {
    return;
  }
  const text = selectedIn(link.dataset.postId) || pressedSelection;
  pressedSelection = "";
  if (!text) {
    return;
  }
  event.preventDefault();
  const quoted = text.split(/\r?\n/).map((line) => `> ${line}`.trimEnd());
  quoted.push(">", `> — [${link.dataset.author}](/posts/${link.dataset.postId})`, "", "");
  form.querySelector("input[name=parent_id]").value = link.dataset.postId;
  form.querySelector("label[for=reply-body]").textContent = link.dataset.label;
  link.closest("article.post").after(form);
  const textarea = form.querySelector("textarea");
  textarea.value = (textarea.value.trim() ? `${textarea.value.trimEnd()}\n\n` : "") + quoted.join("\n");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
});

// The reply being written is saved as a draft every few seconds while it changes.
const AUTOSAVE_MS = 5000;
for (const form of document.querySelectorAll("form[data-draft-url]")) {
  const status = form.querySelector(".draft-status");
  let changed = false;
  form.addEventListener("input", () => {
    changed = true;
  });
  form.addEventListener("submit", () => {
    changed = false;
  });
  window.setInterval(async () => {
    if (!changed) {
      return;
    }
    changed = false;
    const fields = new URLSearchParams();
    for (const name of ["csrf_token", "parent_id", "body", "lang"]) {
      const field = form.elements.namedItem(name);
      fields.set(name, field ? field.value : "");
    }
    try {
      const response = await fetch(form.dataset.draftUrl, {
        method: "POST",
        body: fields,
        credentials: "same-origin",
        headers: { "X-Autosave": "1" },
      });
      if (response.ok && status) {
        status.textContent = status.dataset.savedLabel;
      }
    } catch {
      changed = true;
    }
  }, AUTOSAVE_MS);
}

// "Read in ..." under a post shows that text in place; without this file the link
// leads to the thread with the post in that language (?read=).
document.addEventListener("click", (event) => {
  const link = event.target.closest(".read-in a[data-text]");
  if (!link || !plainClick(event)) {
    return;
  }
  const post = link.closest("article.post");
  if (!post) {
    return;
  }
  event.preventDefault();
  for (const text of post.querySelectorAll(":scope > [data-text]")) {
    text.hidden = text.dataset.text !== link.dataset.text;
  }
  for (const choice of post.querySelectorAll(".read-in a[data-text]")) {
    if (choice === link) {
      choice.setAttribute("aria-current", "true");
    } else {
      choice.removeAttribute("aria-current");
    }
  }
});
