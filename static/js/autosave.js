// The check-in saves each field as it is typed, once typing pauses (htmx). Whatever was
// typed last must not be lost to a click that comes before that pause: before any form
// on the page is submitted or any link followed, the fields not saved yet are saved
// (their request goes out at once, queued behind one already on its way), and only then
// does the page go on. A field that could not be saved (someone else changed it, or its
// value is refused) keeps the page where it is, with its text and its message.
(() => {
  "use strict";
  const form = document.getElementById("checkin-form");
  if (!form || !window.htmx) return;

  const SAVE_TIMEOUT = 15000;
  const fields = () => [...document.querySelectorAll("[hx-post][form='checkin-form'][name]")];
  const baseOf = (field) => document.getElementById(`base-${field.name}`);
  const text = (value) => (value || "").replace(/\r\n/g, "\n").trim();
  const saving = (field) => field.classList.contains("htmx-request");
  // Typed since its last save (its base is what the server last stored), or on its way.
  const pending = (field) =>
    saving(field) || (baseOf(field) && text(field.value) !== text(baseOf(field).value));

  // Save one field now; resolves with the HTTP status of its last save (0: no answer).
  const saveNow = (field) =>
    new Promise((resolve) => {
      let timer = null;
      const finish = (status) => {
        clearTimeout(timer);
        document.body.removeEventListener("htmx:afterRequest", answered);
        resolve(status);
      };
      const answered = (event) => {
        if (event.detail.elt !== field) return;
        const status = event.detail.xhr ? event.detail.xhr.status : 0;
        // A save queued behind this one starts as this one ends: wait for the last.
        setTimeout(() => {
          if (!saving(field)) finish(status);
        });
      };
      document.body.addEventListener("htmx:afterRequest", answered);
      timer = setTimeout(() => finish(0), SAVE_TIMEOUT);
      htmx.trigger(field, "autosave-now");
    });

  let leaving = false;
  // Save what is pending, then go on; or stay, with the first field not saved focused
  // (its status says why: the server's answer, or that none came).
  const saveThen = async (goOn) => {
    const unsaved = fields().filter(pending);
    if (!unsaved.length) return goOn();
    const statuses = await Promise.all(unsaved.map(saveNow));
    const index = statuses.findIndex((status) => status < 200 || status >= 300);
    if (index < 0) return goOn();
    const failed = unsaved[index];
    const status = document.getElementById(`status-${failed.name}`);
    if (status && statuses[index] !== 409 && statuses[index] !== 422) {
      // The words come from the page, in the reader's language.
      const form = document.getElementById("checkin-form");
      status.textContent = (form && form.dataset.noAnswer) || "Not saved.";
    }
    failed.focus();
  };

  document.addEventListener("submit", (event) => {
    if (leaving || !fields().some(pending)) return;
    event.preventDefault();
    const target = event.target;
    const submitter = event.submitter;
    saveThen(() => {
      leaving = true;
      // requestSubmit keeps the button pressed (its formaction, name and value).
      if (submitter && submitter.form === target) target.requestSubmit(submitter);
      else target.requestSubmit();
    });
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute("download") || link.hasAttribute("hx-get")) return;
    const url = new URL(link.href, location.href);
    if (url.origin === location.origin && url.pathname === location.pathname && url.hash) return;
    if (leaving || !fields().some(pending)) return;
    event.preventDefault();
    saveThen(() => {
      leaving = true;
      location.assign(link.href);
    });
  });

  // Leaving another way (closing the tab, the browser's back button): send what was
  // typed since the last save, as the autosave would have, without waiting for it.
  window.addEventListener("pagehide", () => {
    const token = form.querySelector("[name=csrfmiddlewaretoken]");
    for (const field of fields()) {
      if (saving(field) || !pending(field) || !token) continue;
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token.value);
      data.append("field", field.name);
      data.append(field.name, field.value);
      data.append(`${field.name}__base`, baseOf(field).value);
      navigator.sendBeacon(field.getAttribute("hx-post"), data);
    }
  });
})();
