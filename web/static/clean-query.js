/* Stellenbörse: a search form sends only the fields that are filled, so a search has one clean
 * address (no "?q=&near=&…"). Without this script the server redirects to the same clean address. */
(function () {
  "use strict";

  function skipEmpty(event) {
    var form = event.target;
    var emptied = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "submit") { return; }
      var unchecked = (field.type === "radio" || field.type === "checkbox") && !field.checked;
      if (!unchecked && String(field.value).trim() === "") {
        field.disabled = true; // disabled fields are left out of the submitted address
        emptied.push(field);
      }
    });
    // The address is built during the submission; enable the fields again at once, so they work when
    // the visitor comes back to this page (back button, page cache).
    setTimeout(function () { emptied.forEach(function (field) { field.disabled = false; }); }, 0);
  }

  function init() {
    var forms = document.querySelectorAll("form[method=get], form[method=GET]");
    Array.prototype.forEach.call(forms, function (form) { form.addEventListener("submit", skipEmpty); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
