// Vigie's writing desk, made nicer when JavaScript runs. Everything here is an extra: the form
// works the same without it. In order:
//   1. never lose a word: the text kept in this browser until the server has it, autosave
//      (a new article becomes a draft at its first one), the save state in the top bar;
//   2. writing: the toolbar and its shortcuts, word count, paste from Docs/Word/the web as
//      Markdown, links to other articles offered by title ([[);
//   3. the live preview beside the text, and the settings tab;
//   4. tags and related articles chosen by typing, with no page reload;
//   5. images: sent from the toolbar, dropped or pasted into the text, described, inserted.
(function () {
  "use strict";
  var form = document.querySelector("form.article-form");
  if (!form) return;
  var body = form.elements.body;
  var status = document.querySelector(".autosave-status");
  var csrf = form.elements.csrf_token ? form.elements.csrf_token.value : "";
  var editable = !form.querySelector("fieldset.desk-text[disabled]");
  // A form shown again by the server (preview, error, conflict) already holds unsaved text.
  var dirty = form.hasAttribute("data-unsaved");
  // Changed since the last autosave (an autosave keeps the text, it does not save the article:
  // leaving still warns until the form is saved).
  var pending = dirty;
  var sending = false;

  function articleId() {
    var m = /\/editor\/articles\/([0-9a-f-]+)/.exec(form.getAttribute("action"));
    return m ? m[1] : "";
  }
  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin" });
  }
  function formData() {
    return new URLSearchParams(new FormData(form));
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, ms);
    };
  }
  function now() { return new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }); }
  function tell(message, alarming) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("form-error", !!alarming);
  }

  // 1. Never lose a word ------------------------------------------------------------------

  // The text is kept in this browser until the server has it: a save that meets an ended
  // session (sent to the sign-in page) loses nothing, and the form offers it back afterwards.
  var key = "vigie:unsaved:" + form.getAttribute("action");
  var fields = ["title", "dek", "body", "excerpt", "social_title", "social_description"];
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
  var saved = /[?&](saved|status|restored|merged)=/.test(window.location.search);
  if (saved) {
    // The server has what was sent. A new article's form was the one at /editor/new: its copy
    // goes if it is this article's (another tab may be writing another new article).
    forget();
    var fresh = null;
    try { fresh = JSON.parse(window.localStorage.getItem("vigie:unsaved:/editor/new") || "null"); } catch (e) { fresh = null; }
    if (fresh && form.elements.title && fresh.title === form.elements.title.value) forget("vigie:unsaved:/editor/new");
    tell("Enregistré à " + now(), false);
  } else if (form.hasAttribute("data-conflict")) {
    // The conflict page already holds what was typed, merged with the colleague's text: that
    // is what this browser keeps now, not the text from before the merge.
    keep();
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
      changed();
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

  // Something in the form changed: kept here, marked for autosave, counted, previewed.
  function changed() {
    dirty = true;
    pending = true;
    keep();
    if (navigator.onLine !== false) tell("Modifications non enregistrées", false);
    count();
    refreshPreview();
  }
  form.addEventListener("input", function (event) {
    // The type-ahead boxes are not the article.
    if (event.target.closest && event.target.closest(".typeahead")) return;
    changed();
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("offline", function () {
    tell("Hors ligne — votre texte est gardé dans ce navigateur", true);
  });
  window.addEventListener("online", function () {
    tell(dirty ? "Modifications non enregistrées" : "En ligne", false);
  });

  // This session's form token. Signing in again (in another tab, after the session ended)
  // makes a new one; the form's would be refused, so it is asked for again before saving.
  var tokenAsked = 0;
  function refreshToken() {
    tokenAsked = Date.now();
    return fetch("/editor/token", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) return false;
        return response.text().then(function (token) {
          csrf = token;
          Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (input) {
            input.value = token;
          });
          return true;
        });
      })
      .catch(function () { return false; });
  }
  window.addEventListener("focus", function () {
    if (Date.now() - tokenAsked > 10000) refreshToken();
  });

  // Autosave, when something changed since the last one. A new article becomes a draft at its
  // first autosave (once it has a title or some text); the form then carries on as that
  // article's, at its own address.
  var autosaveUrl = form.dataset.autosave;
  var isNew = /\/editor\/new\/autosave$/.test(autosaveUrl || "");
  function autosave(retried) {
    if (!autosaveUrl || !editable || !pending || sending) return;
    if (isNew && !form.elements.title.value.trim() && !body.value.trim()) return;
    sending = true;
    pending = false;
    return post(autosaveUrl, formData())
      .then(function (response) {
        if (response.status === 401 || response.redirected) {
          // The session ended: nothing was kept on the server. The text stays here (and in
          // this browser) until a save after signing in again.
          pending = true;
          tell("Session expirée — reconnectez-vous (par exemple dans un autre onglet), puis enregistrez : votre texte est gardé dans ce navigateur.", true);
        } else if (response.status === 403 && retried !== true) {
          // Signed in again elsewhere: a new token. Ask for it, then try once more.
          pending = true;
          return refreshToken().then(function (ok) {
            sending = false;
            if (ok) return autosave(true);
          });
        } else if (response.ok && isNew) {
          return response.json().then(begun);
        } else if (response.ok) {
          tell("Brouillon enregistré automatiquement à " + now(), false);
        } else {
          pending = true;
          tell("Enregistrement automatique impossible (" + response.status + ")", true);
        }
      })
      .catch(function () {
        pending = true;
        tell("Enregistrement automatique impossible (hors ligne ?) — votre texte est gardé dans ce navigateur", true);
      })
      .finally(function () { sending = false; });
  }
  // The new article exists now: its form, its autosave, its version, its next save's key,
  // its address in the location bar, and the copy kept in this browser follow it.
  function begun(article) {
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
    tell("Brouillon créé et enregistré automatiquement à " + now(), false);
  }
  if (autosaveUrl && window.fetch && window.FormData) {
    window.setInterval(autosave, 20000);
    // Asked for at once (by a test, or a future shortcut) rather than at the next tick.
    form.addEventListener("vigie:autosave", function () { autosave(); });
  }

  // 2. Writing ---------------------------------------------------------------------------

  // The toolbar: line marks (headings, lists, quotes) go at the start of each selected line;
  // inline marks wrap the selection (or a placeholder, selected for typing over).
  var inline = {
    bold: ["**", "texte en gras", "**"],
    italic: ["_", "texte en italique", "_"],
    link: ["[", "texte du lien", "](https://)"]
  };
  var lineMarks = { h2: "## ", h3: "### ", list: "- ", quote: "> " };
  function format(kind) {
    if (!body || !editable) return;
    var start = body.selectionStart, end = body.selectionEnd, text = body.value;
    if (lineMarks[kind]) {
      var mark = lineMarks[kind];
      var from = text.lastIndexOf("\n", start - 1) + 1;
      var to = text.indexOf("\n", end);
      if (to === -1) to = text.length;
      var lines = text.slice(from, to).split("\n");
      var all = lines.every(function (l) { return l.indexOf(mark) === 0; });
      var out = lines.map(function (l) {
        if (all) return l.slice(mark.length);
        // One heading level replaces another; a line is not both a quote and a heading.
        return mark + l.replace(/^(#{1,6} |> |- )/, "");
      }).join("\n");
      body.setRangeText(out, from, to, "select");
      if (!all && lines.length === 1) {
        var caret = from + out.length;
        body.setSelectionRange(caret, caret);
      }
    } else if (kind === "table") {
      var before = start > 0 && text[start - 1] !== "\n" ? "\n\n" : "";
      body.setRangeText(before + "| Colonne | Colonne |\n| --- | --- |\n| cellule | cellule |\n", start, end, "end");
    } else if (kind === "footnote") {
      var n = 1;
      while (text.indexOf("[^" + n + "]") !== -1) n++;
      // The mark where the cursor is, its note at the end of the text, ready to be typed.
      body.setRangeText("[^" + n + "]", start, end, "end");
      var trimmed = body.value.replace(/\s*$/, "");
      body.setRangeText("\n\n[^" + n + "]: ", trimmed.length, body.value.length, "end");
    } else if (kind === "article") {
      body.setRangeText("[[", start, end, "end");
      linkPicker.open();
    } else if (kind === "image") {
      imageDialog.open(null);
      return;
    } else if (inline[kind]) {
      var parts = inline[kind];
      var selected = text.slice(start, end);
      if (selected) {
        body.setRangeText(parts[0] + selected + parts[2], start, end, "end");
      } else {
        body.setRangeText(parts[0] + parts[1] + parts[2], start, end, "start");
        body.setSelectionRange(start + parts[0].length, start + parts[0].length + parts[1].length);
      }
    }
    body.focus();
    changed();
  }
  var toolbar = document.querySelector(".md-toolbar");
  if (toolbar && body && editable) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) return;
      event.preventDefault();
      format(button.dataset.md);
    });
  }

  // Keyboard: Ctrl/⌘+B, I, K format; Ctrl/⌘+S saves (on a live article, it asks first).
  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var k = event.key.toLowerCase();
    if (k === "s") {
      event.preventDefault();
      var direct = document.querySelector(".desk-actions > button[value=save]");
      var asking = document.querySelector(".desk-actions details.confirm button[value=save]");
      if (direct) { direct.click(); }
      else if (asking) {
        var details = asking.closest("details");
        details.open = true;
        asking.focus();
      }
      return;
    }
    if (event.target !== body) return;
    var kinds = { b: "bold", i: "italic", k: "link" };
    if (kinds[k]) {
      event.preventDefault();
      format(kinds[k]);
    }
  });

  // Words and minutes of reading, as the text grows.
  var wordCount = document.querySelector(".word-count");
  var readingTime = document.querySelector(".reading-time");
  var count = debounce(function () {
    if (!body || !wordCount) return;
    var words = body.value.split(/\s+/).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length;
    wordCount.textContent = words + (words === 1 ? " mot" : " mots");
    if (readingTime) readingTime.textContent = Math.max(1, Math.ceil(words / 230)) + " min de lecture";
  }, 300);

  // Paste from Google Docs, Word or a web page: its HTML becomes Markdown on the server (the
  // conversion the WordPress import uses), inserted where the cursor is.
  if (body && editable) {
    body.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data) return;
      var html = data.getData("text/html");
      if (!html || data.types.indexOf("text/html") === -1) return;
      var plain = data.getData("text/plain");
      event.preventDefault();
      var start = body.selectionStart, end = body.selectionEnd, before = body.value;
      // Where it goes when the conversion comes back: where the cursor was, unless the text
      // changed meanwhile (typing goes on); then where the cursor is now.
      var place = function () {
        return body.value === before ? [start, end] : [body.selectionStart, body.selectionEnd];
      };
      var sent = new URLSearchParams();
      sent.set("csrf_token", csrf);
      sent.set("html", html);
      tell("Conversion du texte collé…", false);
      post("/editor/paste", sent)
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (markdown) {
          var at = place();
          body.setRangeText(markdown, at[0], at[1], "end");
          tell("Texte collé converti en Markdown", false);
        })
        .catch(function () {
          var at = place();
          body.setRangeText(plain, at[0], at[1], "end");
          tell("Texte collé sans sa mise en forme (conversion impossible)", true);
        })
        .finally(function () { body.focus(); changed(); });
    });
  }

  // A small list of suggestions under a field, chosen with the mouse or the arrow keys.
  function Suggestions(anchor, label) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label);
    list.hidden = true;
    anchor.insertAdjacentElement("afterend", list);
    var items = [], active = -1, onChoose = null;
    function render() {
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = item.text;
        if (item.hint) {
          var hint = document.createElement("span");
          hint.className = "meta";
          hint.textContent = " " + item.hint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    function choose(i) {
      var item = items[i];
      close();
      if (item && onChoose) onChoose(item);
    }
    function close() { items = []; active = -1; render(); }
    return {
      show: function (found, chosen) { items = found; active = found.length ? 0 : -1; onChoose = chosen; render(); },
      close: close,
      isOpen: function () { return items.length > 0; },
      // Arrow keys, Enter and Escape while the list is open; true when the key was used.
      key: function (event) {
        if (!items.length) return false;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
          render();
        } else if (event.key === "Enter") {
          choose(active);
        } else if (event.key === "Escape") {
          close();
        } else {
          return false;
        }
        event.preventDefault();
        return true;
      }
    };
  }
  function lookup(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; });
  }
  function articlesLike(q) {
    return lookup("/editor/lookup/articles?q=" + encodeURIComponent(q) + "&exclude=" + articleId());
  }

  // Links to other articles, offered by title: type [[ and some words of the title.
  var linkPicker = (function () {
    if (!body || !editable) return { open: function () {} };
    var list = Suggestions(body, "Articles à lier");
    var search = debounce(function () {
      var q = query();
      if (q === null) { list.close(); return; }
      if (q.length < 2) return;
      articlesLike(q).then(function (found) {
        if (query() === null) return;
        list.show(found.map(function (a) { return { text: a.title, hint: a.path, article: a }; }), insert);
      });
    }, 200);
    // The words typed since the last [[ on this line, if the cursor is in such a link.
    function query() {
      var before = body.value.slice(0, body.selectionStart);
      var at = before.lastIndexOf("[[");
      if (at === -1) return null;
      var q = before.slice(at + 2);
      return /[\n\]]/.test(q) ? null : q;
    }
    function insert(item) {
      var caret = body.selectionStart;
      var at = body.value.slice(0, caret).lastIndexOf("[[");
      body.setRangeText("[" + item.article.title + "](" + item.article.path + ")", at, caret, "end");
      body.focus();
      changed();
    }
    body.addEventListener("input", search);
    body.addEventListener("keydown", function (event) { list.key(event); });
    body.addEventListener("blur", function () { window.setTimeout(list.close, 150); });
    return { open: search };
  })();

  // 3. The live preview, beside the text ---------------------------------------------------

  var tabs = document.querySelector(".desk-tabs");
  var livePreview = document.getElementById("live-preview");
  var settings = document.getElementById("settings");
  var previewShown = false;
  var refreshPreview = function () {};
  if (tabs && livePreview && settings && window.fetch) {
    tabs.hidden = false;
    var show = function (panel) {
      previewShown = panel === "live-preview";
      livePreview.hidden = !previewShown;
      settings.classList.toggle("tab-hidden", previewShown);
      Array.prototype.forEach.call(tabs.querySelectorAll("[role=tab]"), function (tab) {
        tab.setAttribute("aria-selected", tab.dataset.panel === panel ? "true" : "false");
      });
      try { window.localStorage.setItem("vigie:desk-tab", panel); } catch (e) { /* not kept */ }
      if (previewShown) render();
    };
    var asked = 0;
    var render = function () {
      if (!previewShown) return;
      var mine = ++asked;
      livePreview.setAttribute("aria-busy", "true");
      post(form.getAttribute("action").replace(/\/$/, "") + "/preview", formData())
        .then(function (response) {
          return response.text().then(function (text) { return { ok: response.ok, status: response.status, text: text }; });
        })
        .then(function (answer) {
          if (mine !== asked) return;
          if (answer.ok) {
            // Our own server's rendering of the article: its Markdown sanitised, its fields
            // escaped by the template, as on the public page.
            livePreview.innerHTML = answer.text;
          } else if (answer.status === 401) {
            livePreview.textContent = "Session expirée : l’aperçu reviendra après la reconnexion.";
          } else {
            livePreview.textContent = answer.status === 422 ? answer.text : "Aperçu indisponible (" + answer.status + ").";
          }
        })
        .catch(function () {
          if (mine === asked) livePreview.textContent = "Aperçu indisponible (hors ligne ?).";
        })
        .finally(function () { livePreview.removeAttribute("aria-busy"); });
    };
    refreshPreview = debounce(render, 700);
    tabs.addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (tab) show(tab.dataset.panel);
    });
    // "Aperçu" in the bar shows the live preview rather than reloading the page.
    var previewButton = document.querySelector(".desk-actions button[value=preview]");
    if (previewButton) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        show("live-preview");
        livePreview.scrollIntoView({ block: "nearest" });
      });
    }
    var first = "live-preview";
    try { first = window.localStorage.getItem("vigie:desk-tab") || first; } catch (e) { /* default */ }
    show(first === "settings" ? "settings" : "live-preview");
  }

  // 4. Tags and related articles, chosen by typing ------------------------------------------

  var tagBox = form.querySelector(".tag-choices");
  if (tagBox && editable && window.fetch) {
    tagBox.classList.add("enhanced");
    var newTag = tagBox.querySelector(".new-tag");
    var tagInput = document.createElement("input");
    tagInput.type = "search";
    tagInput.className = "typeahead";
    tagInput.placeholder = "Ajouter un thème…";
    tagInput.setAttribute("aria-label", "Ajouter un thème");
    tagInput.autocomplete = "off";
    tagBox.insertBefore(tagInput, newTag);
    var tagList = Suggestions(tagInput, "Thèmes");
    var labelFor = function (id) {
      var box = tagBox.querySelector("input[name=tags][value='" + id + "']");
      return box ? box.closest("label") : null;
    };
    tagBox.addEventListener("change", function (event) {
      if (event.target.name === "tags") event.target.closest("label").classList.add("chosen");
    });
    var findTags = debounce(function () {
      var q = tagInput.value.trim();
      if (!q) { tagList.close(); return; }
      lookup("/editor/lookup/tags?q=" + encodeURIComponent(q)).then(function (found) {
        var items = found.map(function (t) { return { text: t.name, hint: "(" + t.kind_label + ")", tag: t }; });
        var exact = found.some(function (t) { return t.name.toLowerCase() === q.toLowerCase(); });
        if (!exact) items.push({ text: "Créer le thème « " + q + " »", create: q });
        tagList.show(items, function (item) {
          tagInput.value = "";
          if (item.create) {
            tagBox.querySelector("#new_tag_name").value = item.create;
            newTag.classList.add("shown");
            tagBox.querySelector("select[name=new_tag_kind]").focus();
          } else {
            var label = labelFor(item.tag.id);
            if (label) {
              label.querySelector("input").checked = true;
              label.classList.add("chosen");
            }
          }
          changed();
        });
      });
    }, 200);
    tagInput.addEventListener("input", findTags);
    tagInput.addEventListener("keydown", function (event) {
      // Enter chooses a suggestion; it never submits the article.
      if (!tagList.key(event) && event.key === "Enter") event.preventDefault();
    });
    tagInput.addEventListener("blur", function () { window.setTimeout(tagList.close, 150); });
    if (tagBox.querySelector("#new_tag_name").value) newTag.classList.add("shown");
  }

  var relatedBox = form.querySelector(".related-choices");
  if (relatedBox && editable && window.fetch) {
    relatedBox.classList.add("enhanced");
    var relatedList = relatedBox.querySelector(".related-list");
    var relatedInput = relatedBox.querySelector("#related_q");
    relatedInput.classList.add("typeahead");
    relatedInput.placeholder = "Tapez quelques mots du titre…";
    var relatedSuggestions = Suggestions(relatedInput, "Articles publiés");
    // Each pick gets "Monter" without a page load; a new pick joins the end of the list.
    var moveUp = function (pick) {
      var previous = pick.previousElementSibling;
      if (previous) relatedList.insertBefore(pick, previous);
      upButtons();
      changed();
    };
    var upButtons = function () {
      Array.prototype.forEach.call(relatedList.children, function (pick, i) {
        var up = pick.querySelector("button");
        if (!up) {
          up = document.createElement("button");
          up.className = "small";
          up.textContent = "Monter";
          pick.appendChild(up);
        }
        up.type = "button";
        up.removeAttribute("name");
        up.hidden = i === 0;
      });
    };
    relatedList.addEventListener("click", function (event) {
      var up = event.target.closest("button");
      if (!up) return;
      event.preventDefault();
      moveUp(up.closest(".related-pick"));
    });
    upButtons();
    var findArticles = debounce(function () {
      var q = relatedInput.value.trim();
      if (q.length < 2) { relatedSuggestions.close(); return; }
      articlesLike(q).then(function (found) {
        var taken = Array.prototype.map.call(relatedList.querySelectorAll("input[name=related]"), function (i) { return i.value; });
        var items = found
          .filter(function (a) { return taken.indexOf(a.id) === -1; })
          .map(function (a) { return { text: a.title, article: a }; });
        relatedSuggestions.show(items, function (item) {
          var pick = document.createElement("div");
          pick.className = "related-pick";
          var label = document.createElement("label");
          label.className = "check";
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = "related";
          box.value = item.article.id;
          box.checked = true;
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + item.article.title));
          pick.appendChild(label);
          relatedList.appendChild(pick);
          upButtons();
          relatedInput.value = "";
          changed();
        });
      });
    }, 200);
    relatedInput.addEventListener("input", findArticles);
    relatedInput.addEventListener("keydown", function (event) {
      if (!relatedSuggestions.key(event) && event.key === "Enter") event.preventDefault();
    });
    relatedInput.addEventListener("blur", function () { window.setTimeout(relatedSuggestions.close, 150); });
  }

  // 5. Images. The toolbar's button, a file dropped on the text or an image pasted into it
  // opens the dialog: the person describes the image (alt text is required), it is sent to the
  // library, and its Markdown goes where the cursor was. The library's newest images can be
  // inserted as they are.
  var imageDialog = (function () {
    var dialog = document.querySelector("dialog.image-dialog");
    if (!dialog || !body || !editable || typeof dialog.showModal !== "function") {
      return { open: function () {} };
    }
    var dform = dialog.querySelector("form");
    var fileInput = dform.elements.file;
    // The chosen file's preview (made here: an <img> without a source is not valid HTML).
    var preview = document.createElement("img");
    preview.className = "image-dialog-preview";
    preview.alt = "";
    preview.hidden = true;
    fileInput.closest("label").after(preview);
    var error = dialog.querySelector(".image-dialog-error");
    var library = dialog.querySelector(".image-dialog-library");
    var sendButton = dialog.querySelector("button[value=insert]");
    var file = null, at = [0, 0], before = "";
    function say(message) {
      error.textContent = message || "";
      error.hidden = !message;
    }
    function choose(f) {
      file = f;
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.removeAttribute("src");
      preview.hidden = !f;
      if (f) preview.src = URL.createObjectURL(f);
    }
    function insert(markdown) {
      // Where the cursor was, unless the text changed meanwhile.
      var where = body.value === before ? at : [body.selectionStart, body.selectionEnd];
      var text = body.value;
      var lead = where[0] > 0 && text[where[0] - 1] !== "\n" ? "\n\n" : (where[0] > 0 && text[where[0] - 2] !== "\n" ? "\n" : "");
      body.setRangeText(lead + markdown + "\n\n", where[0], where[1], "end");
      body.focus();
      changed();
    }
    function showLibrary() {
      library.textContent = "";
      lookup("/editor/lookup/media?q=").then(function (found) {
        found.forEach(function (m) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "image-choice";
          if (m.thumbnail) {
            var img = document.createElement("img");
            img.src = m.thumbnail;
            img.alt = "";
            img.width = 72;
            img.height = 48;
            button.appendChild(img);
          }
          button.appendChild(document.createTextNode(m.alt || "(sans texte alternatif)"));
          button.addEventListener("click", function () {
            if (!m.alt) {
              say("Cette image n’a pas de texte alternatif : décrivez-la d’abord dans la bibliothèque (Images).");
              return;
            }
            dialog.close();
            insert(m.markdown);
          });
          li.appendChild(button);
          library.appendChild(li);
        });
      });
    }
    function send(retried) {
      var alt = dform.elements.alt.value.trim();
      if (!file) { say("Choisissez un fichier, ou une image de la bibliothèque."); return; }
      if (!alt) { say("Décrivez l’image en quelques mots (texte alternatif) : c’est ce que liront ceux qui ne la voient pas."); dform.elements.alt.focus(); return; }
      var data = new FormData();
      data.set("csrf_token", csrf);
      data.set("alt", alt);
      data.set("caption", dform.elements.caption.value);
      data.set("credit", dform.elements.credit.value);
      data.set("file", file, file.name || "image");
      say("");
      tell("Envoi de l’image…", false);
      sendButton.disabled = true;
      fetch("/editor/media", { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 403 && !retried) {
            return refreshToken().then(function (ok) { if (ok) send(true); else say("Votre session a expiré : reconnectez-vous dans un autre onglet."); });
          }
          var json = (response.headers.get("content-type") || "").indexOf("application/json") === 0;
          if (!json) {
            // A refusal from before the server read the form (too large, busy, signed out).
            say(response.status === 413 ? "Ce fichier est trop lourd pour être envoyé."
              : response.status === 503 ? "Le serveur est occupé : réessayez dans un instant."
              : "L’image n’a pas pu être envoyée (erreur " + response.status + ").");
            tell("Image refusée", true);
            return;
          }
          return response.json().then(function (answer) {
            if (!response.ok) { say(answer.error || "L’image n’a pas pu être envoyée."); tell("Image refusée", true); return; }
            dialog.close();
            insert(answer.markdown);
            tell("Image ajoutée : ses versions pour le web se préparent", false);
          });
        })
        .catch(function () { say("L’image n’a pas pu être envoyée (connexion ?) : réessayez."); tell("Envoi de l’image impossible", true); })
        .finally(function () { sendButton.disabled = false; });
    }
    dform.addEventListener("submit", function (event) { event.preventDefault(); send(false); });
    dialog.querySelector("button[value=cancel]").addEventListener("click", function () { dialog.close(); body.focus(); });
    fileInput.addEventListener("change", function () { choose(fileInput.files[0] || null); });
    // Dropped on the text, or pasted into it: the same dialog, with that file.
    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) event.preventDefault();
    });
    body.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length || !/^image\//.test(files[0].type)) return;
      event.preventDefault();
      open(files[0]);
    });
    body.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      var files = data && data.files;
      if (!files || !files.length || !/^image\//.test(files[0].type)) return;
      // Word, Docs and spreadsheets put a picture of the selection beside its text: that is a
      // paste of text (see above), not of an image.
      if (data.types.indexOf("text/html") !== -1 || data.types.indexOf("text/plain") !== -1) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      open(files[0]);
    }, true);
    function open(f) {
      at = [body.selectionStart, body.selectionEnd];
      before = body.value;
      dform.reset();
      say("");
      choose(f);
      showLibrary();
      dialog.showModal();
      (f ? dform.elements.alt : fileInput).focus();
    }
    return { open: open };
  })();
})();
