// Vigie's editor, made nicer when JavaScript runs: a Markdown toolbar, autosave every 20 s into
// a draft revision, a copy of the text kept in this browser until the server has it, and a
// warning before leaving with unsaved changes. Everything here is an extra: the form works the
// same without it.
(function () {
  "use strict";
  var form = document.querySelector("form.article-form");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var status = document.querySelector(".autosave-status");
  // A form shown again by the server (preview, error, conflict) already holds unsaved text.
  var dirty = form.hasAttribute("data-unsaved");
  // Changed since the last autosave (an autosave keeps the text, it does not save the article:
  // leaving still warns until the form is saved).
  var pending = dirty;
  var sending = false;

  // The text is kept in this browser until the server has it: a save that meets an ended
  // session (sent to the sign-in page) loses nothing, and the form offers it back afterwards.
  var key = "vigie:unsaved:" + form.getAttribute("action");
  var fields = ["title", "dek", "body"];
  function keep() {
    try {
      var copy = { at: new Date().toISOString() };
      fields.forEach(function (name) { if (form.elements[name]) copy[name] = form.elements[name].value; });
      window.localStorage.setItem(key, JSON.stringify(copy));
    } catch (e) { /* private browsing, full storage: the server's copy is all there is */ }
  }
  function forget(which) {
    try { window.localStorage.removeItem(which || key); } catch (e) { /* nothing kept */ }
  }
  var saved = /[?&](saved|status|restored)=/.test(window.location.search);
  if (saved) {
    // The server has what was sent; a new article's form was the one at /editor/new.
    forget();
    forget("vigie:unsaved:/editor/new");
  } else {
    offerKeptText();
  }
  function offerKeptText() {
    var copy = null;
    try { copy = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { copy = null; }
    if (!copy) return;
    var differs = fields.some(function (name) {
      return form.elements[name] && typeof copy[name] === "string" && copy[name] !== form.elements[name].value;
    });
    if (!differs) { forget(); return; }
    var notice = document.createElement("div");
    notice.className = "notice kept-text";
    notice.setAttribute("role", "status");
    var when = new Date(copy.at);
    notice.textContent = "Ce navigateur garde un texte qui n’a pas été enregistré (" +
      when.toLocaleString("fr-FR") + "). ";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "restore-kept";
    restore.textContent = "Reprendre ce texte";
    restore.addEventListener("click", function () {
      fields.forEach(function (name) {
        if (form.elements[name] && typeof copy[name] === "string") form.elements[name].value = copy[name];
      });
      dirty = true;
      pending = true;
      notice.remove();
    });
    var drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = "L’oublier";
    drop.addEventListener("click", function () { forget(); notice.remove(); });
    notice.appendChild(restore);
    notice.appendChild(document.createTextNode(" "));
    notice.appendChild(drop);
    form.parentNode.insertBefore(notice, form);
  }

  form.addEventListener("input", function () { dirty = true; pending = true; keep(); });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // Toolbar: each button wraps the selection or inserts a block.
  var snippets = {
    h2: ["\n## ", "", "\n"],
    bold: ["**", "texte en gras", "**"],
    italic: ["_", "texte en italique", "_"],
    link: ["[", "texte du lien", "](https://)"],
    list: ["\n- ", "élément", "\n- élément\n"],
    quote: ["\n> ", "citation", "\n"],
    table: ["\n| Colonne | Colonne |\n| --- | --- |\n| ", "cellule", " | cellule |\n"]
  };
  var toolbar = document.querySelector(".md-toolbar");
  if (toolbar && body) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) return;
      event.preventDefault();
      var parts = snippets[button.dataset.md];
      var start = body.selectionStart, end = body.selectionEnd;
      var selected = body.value.slice(start, end) || parts[1];
      body.setRangeText(parts[0] + selected + parts[2], start, end, "end");
      body.focus();
      dirty = true;
      pending = true;
      keep();
    });
  }

  // Autosave, when something changed since the last one. A new article becomes a draft at its
  // first autosave (once it has a title or some text); the form then carries on as that
  // article's, at its own address.
  var autosaveUrl = form.dataset.autosave;
  if (autosaveUrl && window.fetch && window.FormData) {
    var isNew = /\/editor\/new\/autosave$/.test(autosaveUrl);
    var autosave = function () {
      if (!pending || sending) return;
      if (isNew && !form.elements.title.value.trim() && !body.value.trim()) return;
      sending = true;
      pending = false;
      var data = new FormData(form);
      fetch(autosaveUrl, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) {
            // The session ended: nothing was kept on the server. The text stays here (and in
            // this browser) until a save after signing in again.
            pending = true;
            tell("Session expirée — reconnectez-vous (par exemple dans un autre onglet), puis enregistrez : votre texte est gardé dans ce navigateur.", true);
          } else if (response.ok && isNew) {
            return response.json().then(begun);
          } else if (response.ok) {
            tell("Brouillon enregistré automatiquement à " + new Date().toLocaleTimeString("fr-FR"), false);
          } else {
            pending = true;
            tell("Enregistrement automatique impossible (" + response.status + ")", true);
          }
        })
        .catch(function () {
          pending = true;
          tell("Enregistrement automatique impossible (hors ligne ?)", true);
        })
        .finally(function () { sending = false; });
    };
    // The new article exists now: its form, its autosave, its version, its next save's key,
    // its address in the location bar, and the copy kept in this browser follow it.
    var begun = function (article) {
      var oldKey = key;
      form.setAttribute("action", article.action);
      autosaveUrl = article.autosave;
      form.dataset.autosave = article.autosave;
      isNew = false;
      form.elements.version.value = article.version;
      if (form.elements.save_key) form.elements.save_key.value = article.save_key;
      key = "vigie:unsaved:" + article.action;
      keep();
      forget(oldKey);
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", article.action);
      tell("Brouillon créé et enregistré automatiquement à " + new Date().toLocaleTimeString("fr-FR"), false);
    };
    window.setInterval(autosave, 20000);
    // Asked for at once (by a test, or a future shortcut) rather than at the next tick.
    form.addEventListener("vigie:autosave", autosave);
  }

  function tell(message, alarming) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("form-error", alarming);
  }
})();
