/* The /charts page: the prisoner table as bars and the events on a timeline. */
(function () {
  "use strict";

  var LG = window.LegiongraphCharts;
  var config = JSON.parse(document.getElementById("lg-config").textContent);

  var value = LG.value;

  function fail(container, error) {
    container.textContent = "";
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = "Could not load the data: " + error.message;
    container.appendChild(p);
    document.body.setAttribute("data-chart-error", "true");
  }

  function drawPrisoners() {
    var container = document.getElementById("pow-chart");
    return fetch(config.queries, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (queries) {
        var query = queries.find(function (q) { return q.name === config.chartQuery; });
        if (!query) throw new Error("the named query " + config.chartQuery + " is not installed");
        return LG.sparql(config.endpoint, query.text);
      })
      .then(function (json) {
        var rows = json.results.bindings.map(function (b) { return LG.prisonerRow(b, config); });
        var total = rows.reduce(function (sum, row) { return sum + row.value; }, 0);
        LG.barChart(container, rows, {
          title: "Foreign prisoners of war held by Ukraine on 2 May 2025, by citizenship",
          description: total + " prisoners from " + rows.length + " countries",
          axisLabel: "prisoners of war"
        });
        var note = document.getElementById("pow-note");
        var strong = document.createElement("strong");
        strong.textContent = total + " prisoners from " + rows.length + " countries. ";
        note.insertBefore(strong, note.firstChild);
      })
      .catch(function (error) { fail(container, error); });
  }

  function drawTimeline() {
    var container = document.getElementById("timeline-chart");
    return LG.sparql(config.endpoint, config.timelineQuery)
      .then(function (json) {
        var seen = {};
        var events = [];
        json.results.bindings.forEach(function (b) {
          var iri = value(b, "event");
          if (seen[iri]) return;
          seen[iri] = true;
          events.push({ iri: iri, label: value(b, "label"), begin: value(b, "begin"), end: value(b, "end"),
                        type: value(b, "typeLabel"), certainty: value(b, "certaintyLabel"),
                        href: LG.localHref(iri, config) });
        });
        var used = events.map(function (ev) { return ev.certainty; });
        var legendHolder = document.createElement("div");
        container.parentNode.insertBefore(legendHolder, container);
        LG.certaintyLegend(legendHolder, used);
        var undated = LG.timeline(container, events, {
          title: "Timeline of the events in the graph",
          description: (events.length) + " events; bars span the dates the source allows"
        });
        drawUndated(undated);
      })
      .catch(function (error) { fail(container, error); });
  }

  function drawUndated(events) {
    var holder = document.getElementById("undated");
    if (!events.length) return;
    var heading = document.createElement("h3");
    heading.textContent = "Events the source gives no date for (" + events.length + ")";
    holder.appendChild(heading);
    var list = document.createElement("ul");
    list.className = "undated-list";
    events.sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (ev) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = LG.colours[ev.certainty] || "#666";
      swatch.title = "certainty: " + (ev.certainty || "unknown");
      item.appendChild(swatch);
      var link = document.createElement("a");
      if (ev.href) link.href = ev.href;
      link.textContent = ev.label;
      item.appendChild(link);
      if (ev.type) {
        var type = document.createElement("span");
        type.className = "event-type";
        type.textContent = " · " + ev.type;
        item.appendChild(type);
      }
      list.appendChild(item);
    });
    holder.appendChild(list);
  }

  Promise.all([drawPrisoners(), drawTimeline()]).then(function () {
    document.body.setAttribute("data-charts-ready", "true");
  });
})();
