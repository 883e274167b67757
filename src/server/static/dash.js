// dash.js: progressive enhancement only. Every page works without it; with it, tables marked
// class="sortable" sort by a column when its header is pressed, and a filter form says it is
// busy while the next page loads.
"use strict";

(function () {
  function cellValue(row, index) {
    const cell = row.cells[index];
    const text = cell ? (cell.dataset.value || cell.textContent.trim()) : "";
    const number = Number(text.replace(/[\s\u00a0.,%]/g, ""));
    return cell && cell.dataset.value !== undefined && !Number.isNaN(Number(cell.dataset.value))
      ? Number(cell.dataset.value)
      : (text !== "" && !Number.isNaN(number) && /^[-−]?[\d\s\u00a0.,]+%?$/.test(text) ? number : text);
  }

  function makeSortable(table) {
    const head = table.tHead;
    if (!head || !table.tBodies[0]) return;
    Array.from(head.rows[0].cells).forEach(function (th, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.from(head.rows[0].cells).forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const x = cellValue(a, index), y = cellValue(b, index);
          const order = typeof x === "number" && typeof y === "number" ? x - y
            : String(x).localeCompare(String(y), document.documentElement.lang);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("form.filters").forEach(function (form) {
      form.addEventListener("submit", function () {
        const main = document.getElementById("main");
        if (main) main.setAttribute("aria-busy", "true");
      });
    });
  });
})();
