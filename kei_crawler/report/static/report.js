/* kei-crawler report: sortable tables, the briefs filter. Without it every table shows whole, as written.
 * A classic script, not a module: browsers refuse modules on file:// pages. */
(() => {
  "use strict";

  // localeCompare's engine, made once (one per comparison is slow over 6,400 rows).
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const number = (n) => n.toLocaleString("en-US");

  function sortKey(cell, type) {
    if (!cell) return null;
    let raw = cell.getAttribute("data-sort");
    if (raw === null && type === "date") {
      const time = cell.querySelector("time[datetime]");
      if (time) raw = time.getAttribute("datetime");
    }
    raw = (raw === null ? cell.textContent : raw).trim();
    if (raw === "") return null;
    if (type !== "number") return raw;
    const value = parseFloat(raw.replace(/,/g, ""));
    return isNaN(value) ? null : value;
  }

  function compare(type, x, y) {
    if (type === "number") return x - y;
    if (type === "date") return x < y ? -1 : x > y ? 1 : 0; // ISO dates sort as text
    return collator.compare(x, y);
  }

  function makeSortable(table) {
    const body = table.tBodies[0];
    const head = table.tHead && table.tHead.rows[0];
    if (!body || !head) return;
    const rows = Array.from(body.rows, (row) => ({ row, keys: [] }));
    const headers = Array.from(head.cells);
    let sortedBy = null;
    let ascending = true;

    function sortBy(column, type) {
      for (const r of rows) if (r.keys[column] === undefined) r.keys[column] = sortKey(r.row.cells[column], type);
      // Array.prototype.sort is stable: rows that tie keep the order the previous sort gave them.
      rows.sort((a, b) => {
        const x = a.keys[column];
        const y = b.keys[column];
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty last, both ways
        return ascending ? compare(type, x, y) : -compare(type, x, y);
      });
      // Moved in one fragment inside a detached body: one layout, not one per row.
      const parent = body.parentNode;
      const next = body.nextSibling;
      parent.removeChild(body);
      const fragment = document.createDocumentFragment();
      for (const r of rows) fragment.appendChild(r.row);
      body.appendChild(fragment);
      parent.insertBefore(body, next);
    }

    headers.forEach((th, column) => {
      const type = th.getAttribute("data-type");
      if (!type) return;
      const button = document.createElement("button");
      button.type = "button";
      button.append(...th.childNodes);
      th.appendChild(button);
      button.addEventListener("click", () => {
        ascending = sortedBy === th ? !ascending : true;
        sortedBy = th;
        sortBy(column, type);
        for (const other of headers) {
          if (other === th) other.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          else other.removeAttribute("aria-sort");
        }
      });
    });
  }

  function makeFilter(form) {
    const table = document.getElementById(form.getAttribute("data-table"));
    if (!table || !table.tBodies[0]) return;
    const query = form.elements.namedItem("q");
    const status = form.elements.namedItem("status");
    const count = form.querySelector("[role=status]");
    const noun = count ? count.textContent.replace(/^[\d,.\s]+/, "") : "";
    const rows = Array.from(table.tBodies[0].rows, (row) => ({
      row,
      text: fold(row.textContent),
      status: row.getAttribute("data-status") || "",
      shown: !row.hidden,
    }));
    let applied = null;

    function apply() {
      const terms = query ? fold(query.value).split(/\s+/).filter(Boolean) : [];
      const wanted = status ? status.value : "";
      const state = JSON.stringify([terms, wanted]);
      if (state === applied) return; // a select fires both input and change
      applied = state;
      let shown = 0;
      for (const r of rows) {
        const keep = (wanted === "" || r.status === wanted) && terms.every((term) => r.text.includes(term));
        if (r.shown !== keep) {
          r.shown = keep; // only the rows that change are touched
          r.row.hidden = !keep;
        }
        if (keep) shown += 1;
      }
      const filtered = terms.length > 0 || wanted !== "";
      if (count) count.textContent = `${filtered ? number(shown) + " of " : ""}${number(rows.length)} ${noun}`;
    }

    function remember() {
      const params = new URLSearchParams();
      if (query && query.value.trim()) params.set("q", query.value.trim());
      if (status && status.value) params.set("status", status.value);
      const fragment = params.toString();
      // replaceState: no history entry per keystroke, no hashchange back at us.
      history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
    }

    function restore() {
      const params = new URLSearchParams(location.hash.slice(1));
      if (!params.has("q") && !params.has("status")) return; // an anchor (#main), not a filter
      if (query) query.value = params.get("q") || "";
      if (status) {
        const value = params.get("status") || "";
        status.value = Array.from(status.options).some((option) => option.value === value) ? value : "";
      }
      apply();
    }

    const changed = () => {
      apply();
      remember();
    };
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("hashchange", restore);
    restore();
  }

  // A table box that scrolls takes the keyboard focus (arrow keys scroll it), named by the caption.
  function markScrollers() {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth;
      if (scrolls === wrap.hasAttribute("tabindex")) return;
      if (scrolls) {
        const caption = wrap.querySelector("caption");
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      } else for (const name of ["tabindex", "role", "aria-label"]) wrap.removeAttribute(name);
    });
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("form.filters[data-table]").forEach(makeFilter);
    markScrollers();
    window.addEventListener("resize", markScrollers);
    document.addEventListener("toggle", markScrollers, true); // a table in <details> shown
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
