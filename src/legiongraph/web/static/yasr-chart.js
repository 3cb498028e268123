/* A YASR plugin, "Chart": any result with a numeric column drawn by lg-charts.js as bars, columns or
   a line. A year, date or label column is a category, never a measure; the analyst picks both. */
(function (global) {
  "use strict";

  var LG = global.LegiongraphCharts;
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte)$/;
  var DATES = [XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp", XSD + "gYearMonth", XSD + "gYear"];
  // A column named like these holds years, even when typed xsd:integer (YEAR() gives one).
  var YEAR_NAME = /(^|[_-])[yY]ears?$|^[yY]ear|[a-z]Year$/;

  function isNumeric(term) {
    return !!(term && term.type !== "uri" && term.datatype && NUMERIC.test(term.datatype));
  }

  // A date-typed literal, or a plain one written as a date ("2025-04", as a query may give a month).
  function isDate(term) {
    if (term.type === "uri") return false;
    if (term.datatype && DATES.indexOf(term.datatype) >= 0) return true;
    var plain = !term.datatype || term.datatype === XSD + "string";
    return plain && /^-?\d{4}-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(term.value);
  }

  /** Return how a column reads: "year", "date", "number", "iri" or "text". */
  function kindOf(name, bindings) {
    var terms = bindings.map(function (b) { return b[name]; }).filter(Boolean);
    if (!terms.length) return "empty";
    if (terms.every(isDate)) return "date";
    if (terms.every(isNumeric)) {
      var wholeYears = terms.every(function (t) { return /^-?\d{4}$/.test(t.value); });
      return YEAR_NAME.test(name) && wholeYears ? "year" : "number";
    }
    if (terms.every(function (t) { return t.type === "uri"; })) return "iri";
    return "text";
  }

  /** Return the time (ms since 1970, UTC) a year or date value stands for, or null. */
  function timeOf(term, kind) {
    if (!term) return null;
    if (kind === "year") return Date.UTC(Number(term.value), 6, 1);
    var m = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(term.value);
    return m ? Date.UTC(+m[1], m[2] ? +m[2] - 1 : 6, m[3] ? +m[3] : (m[2] ? 15 : 1)) : null;
  }

  /** Split a result's columns into categories (anything) and measures (numbers that are not years). */
  function columns(results) {
    var bindings = results && results.getBindings && results.getBindings();
    if (!bindings || !bindings.length) return null;
    var vars = results.getVariables();
    var kinds = {};
    vars.forEach(function (v) { kinds[v] = kindOf(v, bindings); });
    var measures = vars.filter(function (v) { return kinds[v] === "number"; });
    if (!measures.length) return null;
    var categories = vars.filter(function (v) { return kinds[v] !== "number" && kinds[v] !== "empty"; });
    var pick = function (kind) { return categories.find(function (v) { return kinds[v] === kind; }); };
    var category = pick("year") || pick("date") || pick("text") || pick("iri") || null;
    return { bindings: bindings, kinds: kinds, measures: measures, categories: categories,
             category: category, measure: measures[0], link: pick("iri") || null };
  }

  /** Return the rows a chart draws: a label, value, link and time for each binding with the measure. */
  function chartRows(cols, category, measure, config) {
    var kind = category ? cols.kinds[category] : null;
    var prefixes = (config && config.prefixes) || {};
    return cols.bindings.filter(function (b) { return b[measure]; }).map(function (b, i) {
      var term = category ? b[category] : null;
      var label = term ? (term.type === "uri" ? LG.shorten(term.value, prefixes) : term.value)
                       : (category ? "(no " + category + ")" : "row " + (i + 1));
      var link = cols.link && b[cols.link] && /^https?:\/\//.test(b[cols.link].value) ? b[cols.link] : null;
      var value = Number(b[measure].value);
      return { label: label, value: value, href: link ? LG.localHref(link.value, config) : null,
               time: kind === "year" || kind === "date" ? timeOf(term, kind) : null,
               title: label + ": " + value + " " + measure };
    });
  }

  function select(parent, label, options, value) {
    var wrap = LG.html("label", { "class": "chart-control" }, parent, label + " ");
    var node = LG.html("select", {}, wrap);
    options.forEach(function (o) { LG.html("option", { value: o[0] }, node, o[1]); });
    node.value = value;
    return node;
  }

  /** A YASR plugin that draws a result with a numeric column as a bar, column or line chart. */
  function yasrBarPlugin(config) {
    function Plugin(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = "Chart";
    }
    Plugin.prototype.canHandleResults = function () { return !!columns(this.yasr.results); };
    Plugin.prototype.draw = function () {
      var cols = columns(this.yasr.results);
      var wrapper = LG.html("div", { "class": "lg-yasr-chart" }, this.yasr.resultsEl);
      var controls = LG.html("p", { "class": "chart-controls" }, wrapper);
      var chartEl = LG.html("div", { "class": "chart" }, wrapper);
      var note = LG.html("p", { "class": "hint chart-omitted" }, wrapper);
      var timeKind = function (c) { return c && (cols.kinds[c] === "year" || cols.kinds[c] === "date"); };
      var categorySelect = select(controls, "Category", cols.categories.map(function (c) {
        return [c, "?" + c + " (" + cols.kinds[c] + ")"];
      }).concat([["", "row number"]]), cols.category || "");
      var measureSelect = select(controls, "Measure", cols.measures.map(function (m) { return [m, "?" + m]; }),
                                 cols.measure);
      var typeSelect = select(controls, "Chart", [["bar", "bars"], ["column", "columns"], ["line", "line"]],
                              timeKind(cols.category) ? "column" : "bar");
      var render = function () {
        var category = categorySelect.value || null, measure = measureSelect.value, kind = typeSelect.value;
        var rows = chartRows(cols, category, measure, config);
        var title = measure + " by " + (category || "row");
        var timeAxis = timeKind(category) && kind !== "bar";
        note.textContent = "";
        if (timeAxis) {
          var undated = rows.filter(function (r) { return r.time === null; });
          if (undated.length) {
            note.textContent = undated.map(function (r) { return r.label + ": " + r.value; }).join("; ") +
                               " (not on the time axis)";
          }
        }
        if (kind === "bar") {
          LG.barChart(chartEl, rows, { title: title, axisLabel: measure });
        } else {
          LG.columnChart(chartEl, rows, { title: title, axisLabel: measure, kind: kind, timeAxis: timeAxis,
                                          categoryLabel: category || "row" });
        }
      };
      [categorySelect, measureSelect, typeSelect].forEach(function (s) { s.addEventListener("change", render); });
      render();
    };
    Plugin.prototype.getIcon = function () {
      var icon = LG.svg("svg", { viewBox: "0 0 16 16", width: 15, height: 15, "aria-hidden": "true" });
      [[2, 12], [6, 8], [10, 4]].forEach(function (p) {
        LG.svg("rect", { x: 1, y: p[0] - 1, width: p[1], height: 3, fill: "currentColor" }, icon);
      });
      var holder = document.createElement("span");
      holder.appendChild(icon);
      return holder;
    };
    return Plugin;
  }

  LG.chartColumns = columns;
  LG.chartRows = chartRows;
  LG.yasrBarPlugin = yasrBarPlugin;
})(window);
