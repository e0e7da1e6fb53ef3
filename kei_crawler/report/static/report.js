/* kei-crawler report: sortable tables and the briefs filter.
 *
 * Progressive enhancement: without this script every table is shown whole, in the order it was written.
 * A classic script (not a module), since browsers refuse modules from file:// pages.
 */
(function () {
  "use strict";

  // localeCompare's engine, made once: a new one per comparison would make sorting 6,400 rows slow.
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var MARKS = /\p{M}/gu;

  function fold(text) {
    return text.normalize("NFD").replace(MARKS, "").toLowerCase();
  }

  function number(n) {
    return n.toLocaleString("en-US");
  }

  // ---- sorting ----------------------------------------------------------------------------------

  function sortKey(cell, type) {
    if (!cell) return null;
    var raw = cell.getAttribute("data-sort");
    if (raw === null && type === "date") {
      var time = cell.querySelector("time[datetime]");
      if (time) raw = time.getAttribute("datetime");
    }
    if (raw === null) raw = cell.textContent;
    raw = raw.trim();
    if (raw === "") return null;
    if (type === "number") {
      var value = parseFloat(raw.replace(/,/g, ""));
      return isNaN(value) ? null : value;
    }
    return raw;
  }

  function compare(type, x, y) {
    if (type === "number") return x - y;
    if (type === "date") return x < y ? -1 : x > y ? 1 : 0; // ISO dates sort as text
    return collator.compare(x, y);
  }

  function makeSortable(table) {
    var body = table.tBodies[0];
    var head = table.tHead && table.tHead.rows[0];
    if (!body || !head) return;
    var rows = Array.prototype.map.call(body.rows, function (row) {
      return { row: row, keys: [] };
    });
    var headers = Array.prototype.slice.call(head.cells);
    var sortedBy = null;
    var ascending = true;

    function sortBy(column, type) {
      rows.forEach(function (r) {
        if (r.keys[column] === undefined) r.keys[column] = sortKey(r.row.cells[column], type);
      });
      // Array.prototype.sort is stable, so rows that tie keep the order the previous sort gave them.
      rows.sort(function (a, b) {
        var x = a.keys[column];
        var y = b.keys[column];
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty last, both ways
        var order = compare(type, x, y);
        return ascending ? order : -order;
      });
      // Rows moved inside a detached body, in one fragment: the page is laid out once, not per row.
      var parent = body.parentNode;
      var next = body.nextSibling;
      parent.removeChild(body);
      var fragment = document.createDocumentFragment();
      rows.forEach(function (r) {
        fragment.appendChild(r.row);
      });
      body.appendChild(fragment);
      parent.insertBefore(body, next);
    }

    headers.forEach(function (th, column) {
      var type = th.getAttribute("data-type");
      if (!type) return;
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        ascending = sortedBy === th ? !ascending : true;
        sortedBy = th;
        sortBy(column, type);
        headers.forEach(function (other) {
          if (other === th) other.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          else other.removeAttribute("aria-sort");
        });
      });
    });
  }

  // ---- filtering --------------------------------------------------------------------------------

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    // Other fragments (#main from the skip link) are anchors, not a filter.
    return params.has("q") || params.has("status") ? params : null;
  }

  function makeFilter(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    if (!table || !table.tBodies[0]) return;
    var query = form.elements.namedItem("q");
    var status = form.elements.namedItem("status");
    var count = form.querySelector("[role=status]");
    var noun = count ? count.textContent.replace(/^[\d,.\s]+/, "") : "";
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      var status = row.getAttribute("data-status") || "";
      return { row: row, text: fold(row.textContent), status: status, shown: !row.hidden };
    });

    var applied = null;

    function apply() {
      var terms = query ? fold(query.value).split(/\s+/).filter(Boolean) : [];
      var wanted = status ? status.value : "";
      // A select fires both input and change: the second finds nothing new to do.
      var state = JSON.stringify([terms, wanted]);
      if (state === applied) return;
      applied = state;
      var shown = 0;
      rows.forEach(function (r) {
        var keep =
          (wanted === "" || r.status === wanted) &&
          terms.every(function (term) {
            return r.text.indexOf(term) !== -1;
          });
        if (r.shown !== keep) {
          r.shown = keep; // only the rows that change are touched
          r.row.hidden = !keep;
        }
        if (keep) shown += 1;
      });
      var filtered = terms.length > 0 || wanted !== "";
      if (count) {
        count.textContent = (filtered ? number(shown) + " of " : "") + number(rows.length) + " " + noun;
      }
    }

    function remember() {
      var params = new URLSearchParams();
      if (query && query.value.trim()) params.set("q", query.value.trim());
      if (status && status.value) params.set("status", status.value);
      var fragment = params.toString();
      // replaceState: typing is not a trail of history entries, and no hashchange fires back at us.
      history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
    }

    function restore() {
      var params = readHash();
      if (!params) return;
      if (query) query.value = params.get("q") || "";
      if (status) {
        var value = params.get("status") || "";
        var known = Array.prototype.some.call(status.options, function (option) {
          return option.value === value;
        });
        status.value = known ? value : "";
      }
      apply();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("input", function () {
      apply();
      remember();
    });
    form.addEventListener("change", function () {
      apply();
      remember();
    });
    window.addEventListener("hashchange", restore);
    restore();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form.filters[data-table]"), makeFilter);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
