/* Results that read like labels: an IRI in a YASR table shows its resource's label (the IRI on
   hover and in a copy button), only http(s) IRIs stay links, and dates are never cut short. */
(function (global) {
  "use strict";

  var LG = global.LegiongraphCharts;
  var BATCH = 200;
  var DATE = /^-?\d{4}-\d{2}(-\d{2})?([T ][\d:.]+)?(Z|[+-]\d{2}:\d{2})?$/;
  var cache = {};

  function labelQuery(iris) {
    return "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
      "PREFIX schema: <https://schema.org/>\n" +
      "SELECT ?s (SAMPLE(?l) AS ?label) WHERE {\n" +
      "  VALUES ?s { " + iris.map(function (i) { return "<" + i + ">"; }).join(" ") + " }\n" +
      "  ?s rdfs:label|skos:prefLabel|schema:name ?l .\n" +
      "  FILTER(LANG(?l) = \"en\" || LANG(?l) = \"\")\n" +
      "} GROUP BY ?s";
  }

  /** Resolve with {iri: label} for the IRIs, asking the endpoint only for those not yet known. */
  function labels(endpoint, iris) {
    var missing = iris.filter(function (i) { return !(i in cache); });
    var batches = [];
    for (var k = 0; k < missing.length; k += BATCH) batches.push(missing.slice(k, k + BATCH));
    return Promise.all(batches.map(function (batch) {
      batch.forEach(function (i) { cache[i] = null; });
      return LG.sparql(endpoint, labelQuery(batch)).then(function (json) {
        json.results.bindings.forEach(function (b) { cache[b.s.value] = b.label.value; });
      });
    })).then(function () { return cache; });
  }

  function copyButton(iri) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "lg-copy-iri";
    button.title = "Copy the IRI " + iri;
    button.setAttribute("aria-label", "Copy the IRI " + iri);
    button.setAttribute("data-iri", iri);
    // An icon drawn in SVG: the glyphs for "copy" are missing from many system fonts.
    var icon = LG.svg("svg", { viewBox: "0 0 16 16", width: 12, height: 12, "aria-hidden": "true" }, button);
    LG.svg("rect", { x: 5, y: 5, width: 9, height: 9, rx: 1.5, fill: "none", stroke: "currentColor",
                     "stroke-width": 1.5 }, icon);
    LG.svg("path", { d: "M3 11V3.5A1.5 1.5 0 0 1 4.5 2H11", fill: "none", stroke: "currentColor",
                     "stroke-width": 1.5 }, icon);
    button.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      var done = function () {
        button.setAttribute("data-copied", "true");
        button.title = "Copied " + iri;
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(iri).then(done, function () { /* no permission: nothing copied */ });
      }
    });
    return button;
  }

  /** Give every new IRI link under root its label, a copy button, and drop non-http(s) links. */
  function relabel(root, config) {
    var links = Array.prototype.slice.call(root.querySelectorAll(".yasr table a.iri:not([data-lg-iri])"));
    var byIri = {};
    links.forEach(function (link) {
      var iri = link.getAttribute("href") || "";
      if (!/^https?:\/\//i.test(iri)) {
        // Only http(s) IRIs are links: a urn:, mailto: or javascript: value is shown as text.
        link.removeAttribute("href");
        link.setAttribute("data-lg-iri", iri);
        return;
      }
      link.setAttribute("data-lg-iri", iri);
      link.title = iri;
      (byIri[iri] = byIri[iri] || []).push(link);
    });
    root.querySelectorAll(".yasr table td div:not([data-lg-checked])").forEach(function (cell) {
      cell.setAttribute("data-lg-checked", "");
      if (DATE.test(cell.textContent.trim())) cell.classList.add("lg-nocut");
    });
    var iris = Object.keys(byIri).filter(function (iri) { return /^[^<>"{}|^`\\\s]+$/.test(iri); });
    if (!iris.length) return Promise.resolve();
    return labels(config.endpoint, iris).then(function (known) {
      iris.forEach(function (iri) {
        byIri[iri].forEach(function (link) {
          if (known[iri]) {
            link.textContent = known[iri];
            link.classList.add("lg-labelled");
          }
          if (!link.nextSibling || !(link.nextSibling.classList && link.nextSibling.classList.contains("lg-copy-iri"))) {
            link.parentNode.insertBefore(copyButton(iri), link.nextSibling);
          }
        });
      });
    }).catch(function () { /* the IRIs stay as they are */ });
  }

  /** Hide a ?xLabel column beside a ?x column whose links already show their labels (WDQS's
      naming convention): the same names twice side by side read as noise. Downloads keep both. */
  function hideLabelColumns(root) {
    root.querySelectorAll(".yasr table").forEach(function (table) {
      var heads = Array.prototype.slice.call(table.querySelectorAll("thead tr:first-child th"));
      var names = heads.map(function (th) { return th.textContent.trim(); });
      names.forEach(function (name, index) {
        var base = names.indexOf(name.replace(/Label$/, ""));
        if (!/.Label$/.test(name) || base < 0) return;
        var cell = function (row) { return row.children[base]; };
        var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
        var labelled = rows.some(function (row) {
          return cell(row) && cell(row).querySelector("a.lg-labelled");
        });
        if (!labelled) return;
        heads[index].classList.add("lg-dup-label");
        rows.forEach(function (row) {
          if (row.children[index]) row.children[index].classList.add("lg-dup-label");
        });
      });
    });
  }

  /** Watch a YASGUI element and relabel each table it draws. */
  function watch(root, config) {
    var pending = null;
    var observer = new MutationObserver(function () {
      if (pending) return;
      pending = global.setTimeout(function () {
        pending = null;
        relabel(root, config).then(function () {
          hideLabelColumns(root);
          root.setAttribute("data-lg-labelled", "true");
        });
      }, 30);
    });
    observer.observe(root, { childList: true, subtree: true });
    return observer;
  }

  LG.relabel = relabel;
  LG.watchLabels = watch;
})(window);
