/* legiongraph maps: Natural Earth country shapes (world-atlas, shipped with the page, no tile
   server) projected by d3-geo, shaded by a value per country, with points for WKT coordinates. */
(function (global) {
  "use strict";

  var LG = global.LegiongraphCharts;
  var worldPromise = null;
  // Light to dark blue: a sequential scale that still reads in greyscale.
  var LOW = [222, 235, 247], HIGH = [8, 48, 107];

  /** Fetch the country shapes once per page, as GeoJSON features keyed by ISO 3166-1 numeric. */
  function loadWorld(url) {
    if (!worldPromise) {
      worldPromise = fetch(url).then(function (response) {
        if (!response.ok) throw new Error("the country shapes answered " + response.status + ": run `make vendor`");
        return response.json();
      }).then(function (topology) {
        return global.topojson.feature(topology, topology.objects.countries).features;
      });
    }
    return worldPromise;
  }

  /** Read "Point(lon lat)" (any case, optional CRS IRI first); null for anything else. */
  function parsePoint(wkt) {
    var m = /^\s*(?:<[^>]*>\s*)?point\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*$/i
      .exec(wkt || "");
    if (!m) return null;
    var lon = Number(m[1]), lat = Number(m[2]);
    if (!isFinite(lon) || !isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
    return [lon, lat];
  }

  /** Return the shade of a value on a log scale from 1 to max (colour of a country with data). */
  function shade(value, max) {
    var t = max > 1 ? Math.log(Math.max(1, value)) / Math.log(max) : 1;
    t = 0.15 + 0.85 * Math.min(1, Math.max(0, t));
    var c = LOW.map(function (low, i) { return Math.round(low + (HIGH[i] - low) * t); });
    return "rgb(" + c.join(", ") + ")";
  }

  function safeHref(href) {
    // Only http(s) IRIs and this site's own paths become links (never javascript: or //host).
    return href && /^(https?:\/\/|\/(?!\/))/i.test(href) ? href : null;
  }

  /**
   * Draw the world into container: options.values maps ISO numeric codes to
   * {value, label, href}; options.points is a list of {lon, lat, label, href}.
   */
  function worldMap(container, features, options) {
    options = options || {};
    var values = options.values || {};
    var points = options.points || [];
    container.textContent = "";
    var width = Math.max(480, container.clientWidth || 960);
    var height = Math.round(width * 0.52);
    var svg = LG.svg("svg", { "class": "lg-map", width: width, height: height, role: "img",
                              viewBox: "0 0 " + width + " " + height }, container);
    LG.svg("title", {}, svg, options.title || "World map");
    if (options.description) LG.svg("desc", {}, svg, options.description);
    var projection = global.d3.geoNaturalEarth1().fitExtent([[2, 2], [width - 2, height - 2]], { type: "Sphere" });
    var path = global.d3.geoPath(projection);
    LG.svg("path", { d: path({ type: "Sphere" }), "class": "sphere" }, svg);
    var max = Object.keys(values).reduce(function (m, k) { return Math.max(m, values[k].value); }, 0);
    var countries = LG.svg("g", { "class": "countries" }, svg);
    features.forEach(function (feature) {
      var entry = values[feature.id];
      var d = path(feature);
      if (!d) return;
      if (!entry) {
        LG.svg("path", { d: d, "class": "country", "data-iso": feature.id || "" }, countries);
        return;
      }
      var href = safeHref(entry.href);
      var holder = href ? LG.svg("a", { href: href, "class": "country-link" }, countries) : countries;
      var shape = LG.svg("path", { d: d, "class": "country has-data", "data-iso": feature.id,
                                   "data-value": entry.value }, holder);
      shape.style.fill = shade(entry.value, max);  // a style, not an attribute: the sheet's grey would win
      LG.svg("title", {}, shape, entry.title || (entry.label + ": " + entry.value));
    });
    var dots = LG.svg("g", { "class": "points" }, svg);
    points.forEach(function (point) {
      var xy = projection([point.lon, point.lat]);
      if (!xy) return;
      var href = safeHref(point.href);
      var holder = href ? LG.svg("a", { href: href, "class": "point-link" }, dots) : dots;
      var dot = LG.svg("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: 4.5, "class": "point" }, holder);
      LG.svg("title", {}, dot, point.label + " (" + point.lat.toFixed(3) + ", " + point.lon.toFixed(3) + ")");
    });
    if (max > 0) legend(container, max, options.measure || "value");
    return svg;
  }

  function legend(container, max, measure) {
    var box = LG.html("p", { "class": "map-legend" }, container);
    LG.html("span", {}, box, measure + ": ");
    var steps = [1];
    for (var v = 2; v < max; v *= 2) steps.push(v);
    if (max > 1) steps.push(max);
    steps.forEach(function (v) {
      var item = LG.html("span", { "class": "map-legend-step" }, box);
      LG.html("span", { "class": "swatch" }, item).style.background = shade(v, max);  // CSSOM: allowed by a strict CSP
      item.appendChild(document.createTextNode(String(v)));
    });
  }

  /** A YASR plugin, "Map": any result with a column of WKT points drawn on the world map. */
  function yasrMapPlugin(config) {
    function Plugin(yasr) {
      this.yasr = yasr;
      this.priority = 4;
      this.label = "Map";
    }
    Plugin.prototype.points = function () {
      var results = this.yasr.results;
      var bindings = results && results.getBindings && results.getBindings();
      if (!bindings || !bindings.length) return [];
      var vars = results.getVariables();
      var wktVar = vars.find(function (v) {
        return bindings.some(function (b) { return b[v] && b[v].type !== "uri" && parsePoint(b[v].value); });
      });
      if (!wktVar) return [];
      var labelVar = vars.find(function (v) {
        return v !== wktVar && bindings.some(function (b) { return b[v] && b[v].type === "literal" && !b[v].datatype; });
      });
      var linkVar = vars.find(function (v) { return bindings.some(function (b) { return b[v] && b[v].type === "uri"; }); });
      var out = [];
      bindings.forEach(function (b) {
        var xy = b[wktVar] && parsePoint(b[wktVar].value);
        if (!xy) return;
        var link = linkVar && b[linkVar] ? LG.localHref(b[linkVar].value, config) : null;
        var label = labelVar && b[labelVar] ? b[labelVar].value : (link || b[wktVar].value);
        out.push({ lon: xy[0], lat: xy[1], label: label, href: link });
      });
      return out;
    };
    Plugin.prototype.canHandleResults = function () { return this.points().length > 0; };
    Plugin.prototype.draw = function () {
      var points = this.points();
      var holder = LG.html("div", { "class": "lg-yasr-map chart" }, this.yasr.resultsEl);
      LG.html("p", { "class": "loading" }, holder, "Loading the map…");
      return loadWorld(config.worldShapes).then(function (features) {
        worldMap(holder, features, { points: points, title: points.length + " points from the result" });
      }).catch(function (error) {
        holder.textContent = "";
        LG.html("p", { "class": "error" }, holder, "Could not draw the map: " + error.message);
      });
    };
    Plugin.prototype.getIcon = function () {
      var icon = LG.svg("svg", { viewBox: "0 0 16 16", width: 15, height: 15, "aria-hidden": "true" });
      LG.svg("circle", { cx: 8, cy: 8, r: 6.5, fill: "none", stroke: "currentColor", "stroke-width": 1.5 }, icon);
      LG.svg("path", { d: "M1.5 8h13M8 1.5c-3 3.5-3 9.5 0 13M8 1.5c3 3.5 3 9.5 0 13", fill: "none",
                       stroke: "currentColor", "stroke-width": 1.2 }, icon);
      var span = document.createElement("span");
      span.appendChild(icon);
      return span;
    };
    return Plugin;
  }

  LG.loadWorld = loadWorld;
  LG.parsePoint = parsePoint;
  LG.worldMap = worldMap;
  LG.mapShade = shade;
  LG.yasrMapPlugin = yasrMapPlugin;
})(window);
