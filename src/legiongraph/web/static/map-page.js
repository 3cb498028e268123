/* The /map page: prisoners of war by country of citizenship, and the places that have coordinates. */
(function () {
  "use strict";

  var LG = window.LegiongraphCharts;
  var config = JSON.parse(document.getElementById("lg-config").textContent);

  var value = LG.value;

  function countries() {
    return LG.sparql(config.endpoint, config.countryQuery).then(function (json) {
      var values = {};
      json.results.bindings.forEach(function (b) {
        values[value(b, "iso")] = LG.prisonerRow(b, config);
      });
      return values;
    });
  }

  function places() {
    return LG.sparql(config.endpoint, config.placeQuery).then(function (json) {
      var seen = {}, points = [], missing = [];
      json.results.bindings.forEach(function (b) {
        var iri = value(b, "place");
        if (seen[iri]) return;
        var xy = LG.parsePoint(value(b, "wkt"));
        if (!xy) { missing.push(b); return; }
        seen[iri] = true;
        points.push({ lon: xy[0], lat: xy[1], label: value(b, "placeLabel"), iri: iri,
                      href: LG.localHref(iri, config), source: value(b, "source") });
      });
      missing = missing.filter(function (b) { return !seen[value(b, "place")]; });
      return { points: points, missing: missing };
    });
  }

  function listPlaces(points, missing) {
    var holder = document.getElementById("map-places");
    holder.textContent = "";
    LG.html("h3", {}, holder, "Places with coordinates (" + points.length + ")");
    var list = LG.html("ul", { "class": "place-list" }, holder);
    points.sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (p) {
      var item = LG.html("li", {}, list);
      LG.html("a", { href: p.href }, item, p.label);
      var from = p.source && p.source.indexOf("wikidata.org") >= 0 ? "Wikidata" : "GeoNames gazetteer";
      item.appendChild(document.createTextNode(" · " + p.lat.toFixed(3) + ", " + p.lon.toFixed(3) + " · " + from));
    });
    var seen = {};
    var without = missing.filter(function (b) {
      var iri = value(b, "place");
      if (seen[iri]) return false;
      seen[iri] = true;
      return true;
    });
    if (!without.length) return;
    LG.html("h3", {}, holder, "Places without coordinates (" + without.length + ")");
    var rest = LG.html("ul", { "class": "place-list" }, holder);
    without.forEach(function (b) {
      var item = LG.html("li", {}, rest);
      LG.html("a", { href: LG.localHref(value(b, "place"), config) }, item, value(b, "placeLabel"));
    });
  }

  var container = document.getElementById("map");
  Promise.all([LG.loadWorld(config.worldShapes), countries(), places()]).then(function (parts) {
    var values = parts[1], found = parts[2];
    var total = Object.keys(values).reduce(function (s, k) { return s + values[k].value; }, 0);
    LG.worldMap(container, parts[0], {
      values: values, points: found.points, measure: "prisoners of war",
      title: "Foreign prisoners of war held by Ukraine on 2 May 2025, by country of citizenship",
      description: total + " prisoners from " + Object.keys(values).length + " countries; " +
                   found.points.length + " places with coordinates"
    });
    var note = document.getElementById("map-note");
    var strong = document.createElement("strong");
    strong.textContent = total + " prisoners from " + Object.keys(values).length + " countries; " +
                         found.points.length + " places with coordinates. ";
    note.insertBefore(strong, note.firstChild);
    listPlaces(found.points, found.missing);
    document.body.setAttribute("data-map-ready", "true");
  }).catch(function (error) {
    container.textContent = "";
    LG.html("p", { "class": "error" }, container, "Could not draw the map: " + error.message);
    document.body.setAttribute("data-map-error", "true");
  });
})();
