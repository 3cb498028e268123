/* "Open in the query UI" on a Linked Data page links to /#query=<text>: on the query page this
   puts that text in a new tab's editor. It never runs it: a crafted link must not run a query. */
(function () {
  "use strict";

  var match = /^#query=(.*)$/.exec(window.location.hash);
  var yasgui = window.legiongraphYasgui;
  if (!match || !yasgui) return;
  var text;
  try { text = decodeURIComponent(match[1]); } catch (e) { return; }
  var describe = /^DESCRIBE\s+<[^>]*\/([^/>]+)>/.exec(text);
  yasgui.addTab(true, { name: describe ? "DESCRIBE " + describe[1] : "Person card", yasqe: { value: text } });
  // The query is in the editor now; the address goes back to the plain query page.
  history.replaceState(null, "", window.location.pathname + window.location.search);
})();
