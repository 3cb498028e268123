/* The header's search box on every page: suggestions from /search/suggest as one types.
   Arrow keys move through them, Enter opens the chosen one (or the full results page). */
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-list");
  if (!input || !list) return;
  var url = input.getAttribute("data-suggest");
  var timer = null;
  var asked = 0;
  var active = -1;

  function items() { return list.querySelectorAll("li[role=option]"); }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function highlight(index) {
    var options = items();
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "site-search-option-" + i;
      var link = document.createElement("a");
      link.href = r.href;
      link.title = r.iri;
      var name = document.createElement("span");
      name.className = "suggest-label";
      name.textContent = r.label;
      var meta = document.createElement("span");
      meta.className = "suggest-meta";
      meta.textContent = r.type + (r.country ? " · " + r.country : "") +
        (r.matched !== r.label ? " · also “" + r.matched + "”" : "");
      link.appendChild(name);
      link.appendChild(meta);
      li.appendChild(link);
      list.appendChild(li);
    });
    if (!results.length) {
      var none = document.createElement("li");
      none.className = "suggest-none";
      none.textContent = "No name matches; press Enter to search the whole graph.";
      list.appendChild(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); return; }
    var ticket = ++asked;
    fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (ticket === asked) show(data.results || []); })
      .catch(function () { /* the full results page still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items()[active].querySelector("a").href;
    }
  });
  document.addEventListener("click", function (event) {
    if (!input.form.contains(event.target)) close();
  });
})();
