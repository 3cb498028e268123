/* legiongraph charts: a horizontal bar chart and a timeline drawn as inline SVG, no libraries. */
(function (global) {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var CERTAINTY_COLOURS = {
    confirmed: "#1b7f5f", reported: "#2f6db5", alleged: "#d9822b", assumed: "#8e5cb5", denied: "#b83b3b"
  };
  var DAY = 86400000;

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(name, attrs, parent, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  /** POST a query to the SPARQL endpoint and resolve with the JSON results. */
  function sparql(endpoint, query) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error("The endpoint answered " + response.status + ": " + text);
        });
      }
      return response.json();
    });
  }

  /** Turn a project IRI into the address of its page on this server; other IRIs stay as they are. */
  /** The value of one variable of a SPARQL JSON result row, null where it is unbound. */
  function value(binding, name) {
    return binding[name] ? binding[name].value : null;
  }

  /** A row of the prisoner table (by citizenship) as the bar chart and the map draw it. */
  function prisonerRow(binding, config) {
    var n = Number(value(binding, "prisoners"));
    var label = value(binding, "countryLabel");
    return { label: label, value: n, href: localHref(value(binding, "country"), config),
             title: label + ": " + n + (n === 1 ? " prisoner of war" : " prisoners of war") };
  }

  function localHref(iri, config) {
    if (iri && config && iri.indexOf(config.iriBase) === 0) return config.localBase + iri.slice(config.iriBase.length);
    // Only http(s) IRIs become links: a javascript: or data: IRI in the data must not run.
    return safeHref(iri);
  }

  /** Return the IRI when it is an http(s) URL, else null (rendered as text, not a link). */
  function safeHref(iri) {
    return typeof iri === "string" && /^https?:\/\//i.test(iri) ? iri : null;
  }

  /** Shorten an IRI with the first prefix that matches. */
  function shorten(iri, prefixes) {
    var best = null;
    Object.keys(prefixes || {}).forEach(function (name) {
      var ns = prefixes[name];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > prefixes[best].length)) best = name;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : iri;
  }

  function niceStep(max, target) {
    var raw = max / Math.max(1, target);
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * magnitude; }).find(function (s) { return s >= raw; });
    return Math.max(1, step);
  }

  function fitText(node, width) {
    var full = node.textContent;
    if (node.getComputedTextLength() <= width) return;
    var lo = 0, hi = full.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      node.textContent = full.slice(0, mid) + "…";
      if (node.getComputedTextLength() <= width) lo = mid; else hi = mid - 1;
    }
    node.textContent = full.slice(0, lo) + "…";
  }

  /** Draw rows {label, value, href, title} as horizontal bars, largest first as given. */
  function barChart(container, rows, options) {
    options = options || {};
    container.textContent = "";
    var width = Math.max(480, container.clientWidth || 800);
    var rowHeight = 26, top = 8, bottom = 44;
    var height = top + rows.length * rowHeight + bottom;
    var svg = el("svg", { "class": "lg-bar-chart", width: width, height: height, role: "img",
                          viewBox: "0 0 " + width + " " + height }, container);
    el("title", {}, svg, options.title || "Bar chart");
    if (options.description) el("desc", {}, svg, options.description);

    var labelWidth = 0;
    var probe = el("text", { "class": "bar-label" }, svg);
    rows.forEach(function (row) {
      probe.textContent = row.label;
      labelWidth = Math.max(labelWidth, probe.getComputedTextLength());
    });
    svg.removeChild(probe);
    labelWidth = Math.min(Math.ceil(labelWidth) + 18, width * 0.4);

    var left = labelWidth, right = 48;
    var plot = width - left - right;
    var max = rows.reduce(function (m, row) { return Math.max(m, row.value); }, 0) || 1;
    var step = niceStep(max, Math.max(2, Math.floor(plot / 90)));
    var axisMax = Math.ceil(max / step) * step;
    var x = function (v) { return left + (v / axisMax) * plot; };

    var grid = el("g", { "class": "grid", "aria-hidden": "true" }, svg);
    var axisY = top + rows.length * rowHeight;
    for (var t = 0; t <= axisMax; t += step) {
      el("line", { x1: x(t), x2: x(t), y1: top - 4, y2: axisY, "class": t === 0 ? "axis" : "gridline" }, grid);
      el("text", { x: x(t), y: axisY + 16, "class": "tick", "text-anchor": "middle" }, grid, String(t));
    }
    if (options.axisLabel) {
      el("text", { x: left + plot / 2, y: axisY + 36, "class": "axis-label", "text-anchor": "middle" },
         grid, options.axisLabel);
    }

    rows.forEach(function (row, i) {
      var y = top + i * rowHeight;
      var group = row.href ? el("a", { href: row.href, "class": "bar" }, svg) : el("g", { "class": "bar" }, svg);
      group.setAttribute("aria-label", row.title || (row.label + ": " + row.value));
      el("title", {}, group, row.title || (row.label + ": " + row.value));
      el("rect", { x: 0, y: y, width: width, height: rowHeight, "class": "bar-hit" }, group);
      var label = el("text", { x: left - 10, y: y + rowHeight / 2, "class": "bar-label", "text-anchor": "end",
                               "dominant-baseline": "central" }, group, row.label);
      fitText(label, left - 12);
      el("rect", { x: left, y: y + 4, width: Math.max(1, x(row.value) - left), height: rowHeight - 8,
                   rx: 2, "class": "bar-rect" }, group);
      el("text", { x: x(row.value) + 6, y: y + rowHeight / 2, "class": "bar-value",
                   "dominant-baseline": "central" }, group, String(row.value));
    });
    return svg;
  }

  /** Draw rows {label, value, href, time} as vertical columns or a line; time (ms) places them on a time axis. */
  function columnChart(container, rows, options) {
    options = options || {};
    container.textContent = "";
    var timed = options.timeAxis ? rows.filter(function (r) { return r.time !== null && r.time !== undefined; }) : rows;
    if (options.timeAxis) timed = timed.slice().sort(function (a, b) { return a.time - b.time; });
    var width = Math.max(480, container.clientWidth || 800);
    var top = 16, bottom = 58, left = 56, right = 24, height = 340;
    var svg = el("svg", { "class": "lg-column-chart", width: width, height: height, role: "img",
                          "data-kind": options.kind || "column", viewBox: "0 0 " + width + " " + height }, container);
    el("title", {}, svg, options.title || "Chart");
    if (options.description) el("desc", {}, svg, options.description);
    var plot = width - left - right, axisY = height - bottom, plotH = axisY - top;
    var max = timed.reduce(function (m, row) { return Math.max(m, row.value); }, 0) || 1;
    var min = Math.min(0, timed.reduce(function (m, row) { return Math.min(m, row.value); }, 0));
    var step = niceStep(max - min, 5);
    var axisMax = Math.ceil(max / step) * step, axisMin = Math.floor(min / step) * step;
    var y = function (v) { return axisY - (v - axisMin) / (axisMax - axisMin) * plotH; };
    var grid = el("g", { "class": "grid", "aria-hidden": "true" }, svg);
    for (var t = axisMin; t <= axisMax; t += step) {
      el("line", { x1: left, x2: left + plot, y1: y(t), y2: y(t), "class": t === 0 ? "axis" : "gridline" }, grid);
      el("text", { x: left - 8, y: y(t), "class": "tick", "text-anchor": "end", "dominant-baseline": "central" },
         grid, String(t));
    }
    if (options.axisLabel) {
      el("text", { x: 14, y: top + plotH / 2, "class": "axis-label", "text-anchor": "middle",
                   transform: "rotate(-90 14 " + (top + plotH / 2) + ")" }, grid, options.axisLabel);
    }
    var xAxis = el("g", { "class": "x-axis" }, svg);
    var xOf, band;
    if (options.timeAxis && timed.length) {
      var yearOf = function (ms) { return new Date(ms).getUTCFullYear(); };
      var y0 = yearOf(timed[0].time), y1 = yearOf(timed[timed.length - 1].time);
      var t0 = Date.UTC(y0, 0, 1), t1 = Date.UTC(y1 + 1, 0, 1);
      xOf = function (ms) { return left + (ms - t0) / (t1 - t0) * plot; };
      band = Math.max(4, Math.min(48, plot / Math.max(timed.length, (y1 - y0 + 1)) * 0.7));
      for (var year = y0; year <= y1 + 1; year++) {
        var at = xOf(Date.UTC(year, 0, 1));
        el("line", { x1: at, x2: at, y1: axisY, y2: axisY + 6, "class": "axis" }, xAxis);
        if (year <= y1) {
          el("text", { x: (at + xOf(Date.UTC(year + 1, 0, 1))) / 2, y: axisY + 20, "class": "tick year-tick",
                       "text-anchor": "middle" }, xAxis, String(year));
        }
      }
    } else {
      var slot = plot / Math.max(1, timed.length);
      xOf = function (i) { return left + slot * (i + 0.5); };
      band = Math.max(3, Math.min(48, slot * 0.7));
      timed.forEach(function (row, i) {
        var label = el("text", { x: xOf(i), y: axisY + 16, "class": "tick category-tick", "text-anchor": "end",
                                 transform: "rotate(-30 " + xOf(i) + " " + (axisY + 16) + ")" }, xAxis, row.label);
        fitText(label, bottom * 1.6);
      });
    }
    if (options.categoryLabel) {
      el("text", { x: left + plot / 2, y: height - 6, "class": "axis-label", "text-anchor": "middle" },
         xAxis, options.categoryLabel);
    }
    var centre = function (row, i) { return options.timeAxis ? xOf(row.time) : xOf(i); };
    if (options.kind === "line" && timed.length > 1) {
      el("path", { "class": "line", fill: "none", d: timed.map(function (row, i) {
        return (i ? "L" : "M") + centre(row, i).toFixed(1) + " " + y(row.value).toFixed(1);
      }).join(" ") }, svg);
    }
    timed.forEach(function (row, i) {
      var cx = centre(row, i);
      var group = row.href ? el("a", { href: row.href, "class": "bar" }, svg) : el("g", { "class": "bar" }, svg);
      var tip = row.title || (row.label + ": " + row.value);
      group.setAttribute("aria-label", tip);
      el("title", {}, group, tip);
      if (options.kind === "line") {
        el("circle", { cx: cx, cy: y(row.value), r: 4, "class": "line-point" }, group);
      } else {
        var top0 = Math.min(y(row.value), y(0));
        el("rect", { x: cx - band / 2, y: top0, width: band, height: Math.max(1, Math.abs(y(row.value) - y(0))),
                     rx: 2, "class": "bar-rect" }, group);
      }
      el("text", { x: cx, y: y(row.value) - 8, "class": "bar-value", "text-anchor": "middle" }, group, String(row.value));
    });
    return svg;
  }

  function parseDay(text) {
    var m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(text || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }

  function formatDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  /** Draw events {label, begin, end, type, certainty, href} on a time axis; returns the undated ones. */
  function timeline(container, events, options) {
    options = options || {};
    container.textContent = "";
    var dated = [], undated = [];
    events.forEach(function (ev) {
      var b = parseDay(ev.begin), e = parseDay(ev.end);
      if (b === null && e === null) { undated.push(ev); return; }
      dated.push(Object.assign({}, ev, { b: b === null ? e : b, e: e === null ? b : e }));
    });
    dated.sort(function (p, q) { return p.b - q.b || p.e - q.e || p.label.localeCompare(q.label); });
    if (!dated.length) { html("p", { "class": "hint" }, container, "No dated events."); return undated; }

    var width = Math.max(640, container.clientWidth || 960);
    var rowHeight = 24, top = 34, bottom = 12, left = 12, right = 12;
    var height = top + dated.length * rowHeight + bottom;
    var startYear = new Date(Math.min.apply(null, dated.map(function (d) { return d.b; }))).getUTCFullYear();
    var last = new Date(Math.max.apply(null, dated.map(function (d) { return d.e; })));
    var endYear = last.getUTCFullYear();
    var endQuarter = Math.floor(last.getUTCMonth() / 3) + 1;  // the axis ends with the quarter of the last event
    var t0 = Date.UTC(startYear, 0, 1), t1 = Date.UTC(endYear, endQuarter * 3, 1);
    var x = function (ms) { return left + (ms - t0) / (t1 - t0) * (width - left - right); };

    var svg = el("svg", { "class": "lg-timeline", width: width, height: height, role: "img",
                          viewBox: "0 0 " + width + " " + height }, container);
    el("title", {}, svg, options.title || "Timeline of events");
    if (options.description) el("desc", {}, svg, options.description);

    var grid = el("g", { "class": "grid", "aria-hidden": "true" }, svg);
    dated.forEach(function (_, i) {
      if (i % 2 === 0) el("rect", { x: 0, y: top + i * rowHeight, width: width, height: rowHeight, "class": "stripe" }, grid);
    });
    for (var year = startYear; year <= endYear; year++) {
      for (var quarter = 0; quarter < 4 && Date.UTC(year, quarter * 3, 1) <= t1; quarter++) {
        var q = x(Date.UTC(year, quarter * 3, 1));
        el("line", { x1: q, x2: q, y1: top - 6, y2: height - bottom, "class": quarter ? "gridline minor" : "gridline" }, grid);
      }
      var yearEnd = Math.min(Date.UTC(year + 1, 0, 1), t1);
      el("text", { x: (x(Date.UTC(year, 0, 1)) + x(yearEnd)) / 2, y: 18, "class": "year", "text-anchor": "middle" },
         grid, String(year));
    }
    el("line", { x1: x(t1), x2: x(t1), y1: top - 6, y2: height - bottom, "class": "gridline" }, grid);

    dated.forEach(function (ev, i) {
      var y = top + i * rowHeight + rowHeight / 2;
      var colour = CERTAINTY_COLOURS[ev.certainty] || "#666";
      var x0 = x(ev.b), x1 = x(ev.e + DAY);
      var day = ev.e - ev.b < DAY;
      var range = day ? formatDay(ev.b) : formatDay(ev.b) + " – " + formatDay(ev.e);
      var tip = ev.label + "\n" + range + (ev.type ? "\n" + ev.type : "") +
                (ev.certainty ? "\ncertainty: " + ev.certainty : "");
      var item = ev.href ? el("a", { href: ev.href, "class": "tl-item" }, svg) : el("g", { "class": "tl-item" }, svg);
      item.setAttribute("aria-label", ev.label + ", " + range);
      el("title", {}, item, tip);
      el("rect", { x: 0, y: y - rowHeight / 2, width: width, height: rowHeight, "class": "tl-hit" }, item);
      if (day) {
        el("circle", { cx: (x0 + x1) / 2, cy: y, r: 5.5, fill: colour, "class": "tl-point" }, item);
        x0 -= 4; x1 += 4;
      } else {
        el("rect", { x: x0, y: y - 6, width: Math.max(3, x1 - x0), height: 12, rx: 3, fill: colour,
                     "class": "tl-bar" }, item);
      }
      var roomRight = width - right - x1 - 8, roomLeft = x0 - left - 8;
      var toRight = roomRight >= roomLeft;
      var text = el("text", { x: toRight ? x1 + 8 : x0 - 8, y: y, "class": "tl-label",
                              "text-anchor": toRight ? "start" : "end", "dominant-baseline": "central" },
                    item, ev.label);
      fitText(text, toRight ? roomRight : roomLeft);
    });
    return undated;
  }

  /** A legend of the certainty colours, as HTML. */
  function certaintyLegend(parent, used) {
    var list = html("ul", { "class": "legend", "aria-label": "Certainty colours" }, parent);
    Object.keys(CERTAINTY_COLOURS).forEach(function (name) {
      if (used && used.indexOf(name) < 0) return;
      var item = html("li", {}, list);
      html("span", { "class": "swatch", style: "background:" + CERTAINTY_COLOURS[name] }, item);
      item.appendChild(document.createTextNode(name));
    });
    return list;
  }

  global.LegiongraphCharts = {
    sparql: sparql, value: value, prisonerRow: prisonerRow, localHref: localHref, safeHref: safeHref, shorten: shorten, barChart: barChart, timeline: timeline,
    columnChart: columnChart, parseDay: parseDay,
    certaintyLegend: certaintyLegend, colours: CERTAINTY_COLOURS, svg: el, html: html
  };
})(window);
