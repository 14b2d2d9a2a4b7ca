// Vigie's editor, made nicer when JavaScript runs: a Markdown toolbar, autosave every 20 s into
// a draft revision, and a warning before leaving with unsaved changes. Everything here is an
// extra: the form works the same without it.
(function () {
  "use strict";
  var form = document.querySelector("form.article-form");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var status = document.querySelector(".autosave-status");
  // A form shown again by the server (preview, error, conflict) already holds unsaved text.
  var dirty = form.hasAttribute("data-unsaved");
  var sending = false;

  form.addEventListener("input", function () { dirty = true; });
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
    });
  }

  // Autosave: only an existing article, only when something changed.
  var autosaveUrl = form.dataset.autosave;
  if (autosaveUrl && window.fetch && window.FormData) {
    window.setInterval(function () {
      if (!dirty || sending) return;
      sending = true;
      var data = new FormData(form);
      fetch(autosaveUrl, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
        .then(function (response) {
          if (status) {
            status.textContent = response.ok
              ? "Brouillon enregistré automatiquement à " + new Date().toLocaleTimeString("fr-FR")
              : "Enregistrement automatique impossible (" + response.status + ")";
          }
        })
        .catch(function () { if (status) status.textContent = "Enregistrement automatique impossible (hors ligne ?)"; })
        .finally(function () { sending = false; });
    }, 20000);
  }
})();
