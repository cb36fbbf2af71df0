/* Stellenbörse: small enhancements; every page works without this file.
 * Autocomplete follows the WAI-ARIA 1.2 combobox pattern (list autocomplete):
 * arrows move through the suggestions, Enter takes one, Escape closes the list,
 * and a polite live region says how many suggestions there are. */
(function () {
  "use strict";
  var counter = 0;

  function Combobox(input) {
    counter += 1;
    this.input = input;
    this.kind = input.getAttribute("data-suggest");
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.request = 0;
    var id = "suggest-" + counter;
    this.list = document.createElement("ul");
    this.list.id = id + "-list";
    this.list.className = "suggestions";
    this.list.setAttribute("role", "listbox");
    var label = input.labels && input.labels[0];
    if (label) {
      if (!label.id) { label.id = id + "-label"; }
      this.list.setAttribute("aria-labelledby", label.id);
    }
    this.list.hidden = true;
    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", this.list);
    this.list.insertAdjacentElement("afterend", this.status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKey.bind(this));
    input.addEventListener("blur", this.close.bind(this, false));
    this.list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    this.list.addEventListener("click", this.onClick.bind(this));
  }

  Combobox.prototype.onInput = function () {
    var self = this;
    clearTimeout(this.timer);
    var text = this.input.value.trim();
    if (text.length < 2) { this.close(true); return; }
    this.timer = setTimeout(function () { self.fetch(text); }, 150);
  };

  Combobox.prototype.fetch = function (text) {
    var self = this;
    var ticket = ++this.request;
    var url = "/api/v1/suggest?kind=" + encodeURIComponent(this.kind) + "&q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (ticket === self.request) { self.show(data.suggestions || []); } })
      .catch(function () { self.close(true); });
  };

  Combobox.prototype.show = function (suggestions) {
    var self = this;
    this.items = suggestions.map(function (s) { return typeof s === "string" ? { value: s, label: s } : s; });
    this.list.textContent = "";
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = self.list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = item.label;
      self.list.appendChild(li);
    });
    var open = this.items.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    var n = this.items.length;
    this.status.textContent = n === 0 ? "Keine Vorschläge" :
      n + (n === 1 ? " Vorschlag" : " Vorschläge") + " verfügbar. Mit Pfeiltasten auswählen.";
  };

  Combobox.prototype.close = function (clearStatus) {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
    if (clearStatus === true) { this.status.textContent = ""; }
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.move = function (step) {
    if (!this.items.length) { return; }
    if (!this.isOpen()) { this.list.hidden = false; this.input.setAttribute("aria-expanded", "true"); }
    var n = this.items.length;
    this.active = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n;
    var options = this.list.children;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    var current = options[this.active];
    this.input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  };

  Combobox.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) { return; }
    this.input.value = item.value;
    this.close(true);
  };

  Combobox.prototype.onKey = function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); this.move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); this.move(-1); }
    else if (e.key === "Enter" && this.isOpen() && this.active >= 0) { e.preventDefault(); this.choose(this.active); }
    else if (e.key === "Escape" && this.isOpen()) { e.preventDefault(); this.close(true); }
  };

  Combobox.prototype.onClick = function (e) {
    var li = e.target.closest("li[role=option]");
    if (li) { this.choose(Array.prototype.indexOf.call(this.list.children, li)); this.input.focus(); }
  };

  function openFiltersOnWideScreens() {
    var filters = document.getElementById("filter");
    if (filters && window.matchMedia("(min-width: 60rem)").matches) { filters.open = true; }
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) { new Combobox(inputs[i]); }
    openFiltersOnWideScreens();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
