// Progressive enhancement: "Reply" under a post moves the page's reply form
// there instead of opening the reply page. Without this file everything still
// works through plain links and forms.
"use strict";

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply-link");
  const form = document.getElementById("reply");
  if (!link || !form || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  event.preventDefault();
  form.querySelector("input[name=parent_id]").value = link.dataset.parentId;
  form.querySelector("label[for=reply-body]").textContent = link.dataset.label;
  link.closest("article.post").after(form);
  form.querySelector("textarea").focus();
});
