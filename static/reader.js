// Vigie's public pages: one extra for the newsroom. A signed-in journalist or editor (the
// browser holds the `vigie_staff` hint, which is nothing secret) sees the "Modifier" link that
// every copy of the page carries, hidden. The page is the same for everyone, so no cache ever
// keeps a staff-only copy; readers never see the link.
(function () {
  "use strict";
  if (!/(^|;\s*)vigie_staff=1(;|$)/.test(document.cookie)) return;
  Array.prototype.forEach.call(document.querySelectorAll(".staff-edit"), function (el) {
    el.hidden = false;
  });
})();
