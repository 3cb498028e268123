/* A YASR plugin, "Chart": any result with a numeric column drawn as bars by lg-charts.js. */
(function (global) {
  "use strict";

  var LG = global.LegiongraphCharts;
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong)$/;

  function isNumeric(term) {
    return term && term.type !== "uri" && term.datatype && NUMERIC.test(term.datatype);
  }

  /** A YASR plugin that draws any result with a numeric column as a bar chart. */
  function yasrBarPlugin(config) {
    function Plugin(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = "Chart";
    }
    Plugin.prototype.columns = function () {
      var results = this.yasr.results;
      var bindings = results && results.getBindings && results.getBindings();
      if (!bindings || !bindings.length) return null;
      var vars = results.getVariables();
      var numeric = vars.filter(function (v) {
        return bindings.every(function (b) { return !b[v] || isNumeric(b[v]); }) && bindings.some(function (b) { return b[v]; });
      });
      if (!numeric.length) return null;
      var others = vars.filter(function (v) { return numeric.indexOf(v) < 0; });
      var firstOf = function (type) {
        return others.find(function (v) { return bindings.some(function (b) { return b[v] && b[v].type === type; }); });
      };
      var label = others.find(function (v) {
        return bindings.some(function (b) { return b[v] && b[v].type === "literal"; });
      }) || firstOf("uri") || others[0];
      return { numeric: numeric, label: label, link: firstOf("uri"), bindings: bindings };
    };
    Plugin.prototype.canHandleResults = function () { return !!this.columns(); };
    Plugin.prototype.draw = function () {
      var cols = this.columns();
      var wrapper = LG.html("div", { "class": "lg-yasr-chart" }, this.yasr.resultsEl);
      var controls = LG.html("p", { "class": "chart-controls" }, wrapper);
      var chartEl = LG.html("div", { "class": "chart" }, wrapper);
      var prefixes = config.prefixes || {};
      var render = function (measure) {
        var rows = cols.bindings.filter(function (b) { return b[measure]; }).map(function (b, i) {
          var term = cols.label && b[cols.label];
          var name = term ? (term.type === "uri" ? LG.shorten(term.value, prefixes) : term.value) : "row " + (i + 1);
          var link = cols.link && b[cols.link];
          return { label: name, value: Number(b[measure].value), href: link ? LG.localHref(link.value, config) : null };
        });
        LG.barChart(chartEl, rows, { title: measure + " by " + (cols.label || "row"), axisLabel: measure });
      };
      if (cols.numeric.length > 1) {
        var select = LG.html("select", { "aria-label": "Column to chart" });
        controls.appendChild(document.createTextNode("Bar length: "));
        controls.appendChild(select);
        cols.numeric.forEach(function (v) { LG.html("option", { value: v }, select, v); });
        select.value = cols.numeric[cols.numeric.length - 1];
        select.addEventListener("change", function () { render(select.value); });
      }
      render(cols.numeric[cols.numeric.length - 1]);
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

  LG.yasrBarPlugin = yasrBarPlugin;
})(window);
