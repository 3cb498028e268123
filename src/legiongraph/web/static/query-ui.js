/* The / page: YASGUI on this server's SPARQL endpoint, with the named queries as examples. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("lg-config").textContent);
  var initialHash = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  var STORAGE = "legiongraph-query-ui";
  var storage = (function () {
    try { window.localStorage.setItem(STORAGE + "-probe", "1"); return window.localStorage; } catch (e) { return null; }
  })();
  var LG = window.LegiongraphCharts;
  var Yasgui = window.Yasgui;

  // Offline by design: complete the project's prefixes from this page, never ask prefix.cc or LOV.
  var prefixList = Object.keys(config.prefixes).map(function (name) {
    return name + ": <" + config.prefixes[name] + ">";
  });
  Yasgui.Yasqe.forkAutocompleter("prefixes", { name: "lgPrefixes", get: function () { return prefixList; },
                                               persistenceId: null }, false);
  Yasgui.defaults.yasqe.autocompleters = ["lgPrefixes", "variables"];
  Yasgui.Yasr.registerPlugin("chart", LG.yasrBarPlugin(config));
  Yasgui.Yasr.registerPlugin("map", LG.yasrMapPlugin(config));
  Yasgui.defaults.yasr.pluginOrder = ["table", "chart", "map", "response"];

  var requestConfig = { endpoint: config.endpoint, method: "POST" };
  // Results read as plain values ("Tajikistan", 12) rather than as RDF terms; one click shows them.
  var resultSettings = { selectedPlugin: "table", pluginsConfig: { table: { compact: true, isEllipsed: false } } };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: requestConfig,
    copyEndpointOnNewTab: false,
    persistenceId: storage ? STORAGE : null,  // open tabs and their queries survive a reload
    // A crafted link must not point this page at another endpoint (or run a query on open).
    populateFromUrl: false,
    autoAddOnInit: false,
    autofocus: false,
    tabName: "Query",
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { value: config.defaultQuery, collapsePrefixesOnLoad: true, editorHeight: "320px" },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table", persistenceId: null }
  });
  if (!yasgui.getTab()) {
    yasgui.addTab(true, { name: "Query", yasqe: { value: config.defaultQuery }, requestConfig: requestConfig,
                          yasr: { settings: resultSettings } });
    yasgui.getTab().query().catch(function () { /* YASR shows the error */ });
  }
  window.legiongraphYasgui = yasgui;
  LG.watchLabels(document.getElementById("yasgui"), config);

  // Links in results to the project's own IRIs open the local page rather than w3id.org.
  document.getElementById("yasgui").addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) return;
    var target = link.getAttribute("href");
    // YASR links every IRI; only http(s) ones may be followed (javascript:, data: never).
    if (target.charAt(0) !== "#" && target.charAt(0) !== "/" && !LG.safeHref(target)) {
      event.preventDefault();
      link.removeAttribute("href");
      return;
    }
    var local = LG.localHref(target, config);
    if (local !== link.getAttribute("href")) {
      link.setAttribute("href", local);
      link.removeAttribute("target");
    }
  }, true);

  // Which tab holds which example, kept with the tabs so that a reload reuses them.
  var tabsByQuery = {};
  try { tabsByQuery = JSON.parse((storage && storage.getItem(STORAGE + "-examples")) || "{}") || {}; } catch (e) { tabsByQuery = {}; }
  function saveTabs() {
    if (storage) storage.setItem(STORAGE + "-examples", JSON.stringify(tabsByQuery));
  }

  function markCurrent(name) {
    document.querySelectorAll(".example[aria-current]").forEach(function (b) { b.removeAttribute("aria-current"); });
    document.querySelectorAll(".example[data-query]").forEach(function (b) {
      if (b.getAttribute("data-query") === name) b.setAttribute("aria-current", "true");
    });
  }

  function openExample(name) {
    var query = config.examples.find(function (q) { return q.name === name; });
    if (!query) return false;
    markCurrent(name);
    var tabId = tabsByQuery[name];
    if (tabId && yasgui.getTab(tabId)) {
      yasgui.selectTabId(tabId);
    } else {
      var tab = yasgui.addTab(true, {
        name: query.title.length > 40 ? query.title.slice(0, 38) + "…" : query.title,
        yasqe: { value: query.text },
        requestConfig: requestConfig,
        yasr: { settings: resultSettings }
      });
      tabsByQuery[name] = tab.getId();
      saveTabs();
    }
    var current = yasgui.getTab();
    current.query().catch(function () { /* YASR shows the error */ });
    return true;
  }

  yasgui.on("tabClose", function (_, tab) {
    Object.keys(tabsByQuery).forEach(function (name) {
      if (tabsByQuery[name] === tab.getId()) delete tabsByQuery[name];
    });
    saveTabs();
  });
  // The address names the example on show (/#pow-by-country): a bookmark or shared link reopens it.
  yasgui.on("tabSelect", function (_, tabId) {
    var name = Object.keys(tabsByQuery).find(function (n) { return tabsByQuery[n] === tabId; });
    var wanted = name ? "#" + name : window.location.pathname + window.location.search;
    if (wanted !== (name ? window.location.hash : window.location.pathname + window.location.search + window.location.hash)) {
      history.replaceState(null, "", wanted);
    }
  });
  window.addEventListener("hashchange", function () {
    openExample(decodeURIComponent(window.location.hash.replace(/^#/, "")));
  });

  var filter = document.getElementById("example-filter");
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll(".examples li[data-example]").forEach(function (item) {
      var text = item.textContent.toLowerCase();
      item.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
    });
    document.querySelectorAll(".example-group").forEach(function (group) {
      group.hidden = !group.querySelector("li[data-example]:not([hidden])");
    });
  });

  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var name = link.getAttribute("data-query");
      if (window.location.hash !== "#" + name) history.pushState(null, "", "#" + name);
      openExample(name);
    });
  });
  if (initialHash) openExample(initialHash);
  document.body.setAttribute("data-yasgui-ready", "true");
})();
