// Rectification pages: goal charts (ECharts), the formset editors (add, remove, reorder
// rows: the 5-Why chain, goals, measures, tracking items) and the tracking form's progress
// picker. CSP is script-src 'self': data comes from <script type="application/json">.
(function () {
  "use strict";

  // ---- goal charts: baseline, target line, readings over time ----------------------------
  function drawChart(el) {
    if (typeof window.echarts === "undefined") { return; }
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) { return; }
    var goal = JSON.parse(source.textContent);
    var dates = goal.points.map(function (p) { return p[0].slice(5); });
    var values = goal.points.map(function (p) { return p[1]; });
    // Target and baseline are labelled outside the plot, right of their lines, so they
    // never sit on top of the last readings.
    var lines = [{ yAxis: goal.target, name: goal.labels.target,
      lineStyle: { color: "#16a34a", width: 2, type: "solid" },
      label: { formatter: goal.labels.target + "\n{c}", position: "end", color: "#166534",
        fontSize: 11, lineHeight: 13 } }];
    if (goal.baseline !== null) {
      lines.push({ yAxis: goal.baseline, name: goal.labels.baseline,
        lineStyle: { color: "#94a3b8", width: 1.5, type: "dashed" },
        label: { formatter: goal.labels.baseline + "\n{c}", position: "end", color: "#475569",
          fontSize: 11, lineHeight: 13 } });
    }
    var all = values.concat([goal.target]).concat(goal.baseline !== null ? [goal.baseline] : []);
    var low = Math.min.apply(null, all), high = Math.max.apply(null, all);
    var pad = Math.max((high - low) * 0.15, 1);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 36, right: 44, top: 24, bottom: 28 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + (goal.unit || ""); } },
      xAxis: { type: "category", data: dates, boundaryGap: true, axisLabel: { fontSize: 11 },
        axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", min: Math.floor(low - pad), max: Math.ceil(high + pad),
        axisLabel: { fontSize: 11 } },
      series: [{
        name: goal.labels.actual, type: "line", data: values, symbolSize: 8,
        lineStyle: { width: 3, color: "#2563eb" }, itemStyle: { color: "#2563eb" },
        label: { show: true, position: "top", fontSize: 11, fontWeight: "bold" },
        markLine: { symbol: "none", silent: true, data: lines }
      }]
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // ---- formsets: add / remove / move rows ---------------------------------------------------
  function rowsOf(box) {
    return Array.prototype.filter.call(box.querySelectorAll("[data-row]"), function (row) {
      return row.closest("[data-formset]") === box;
    });
  }

  function renumber(box) {
    var n = 1;
    rowsOf(box).forEach(function (row) {
      if (row.classList.contains("is-removed")) { return; }
      var order = row.querySelector("input[name$='-ORDER']");
      if (order) { order.value = n; }
      var label = row.querySelector("[data-row-number]");
      if (label) { label.textContent = n; }
      n += 1;
    });
  }

  function addRow(box) {
    var prefix = box.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = box.querySelector("template[data-empty-row]");
    if (!total || !template) { return; }
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    box.querySelector("[data-rows]").appendChild(row);
    enhance(row);
    total.value = index + 1;
    renumber(box);
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (evt) {
    var target = evt.target instanceof Element ? evt.target : null;
    if (!target) { return; }
    var add = target.closest("[data-add-row]");
    if (add) {
      evt.preventDefault();
      addRow(document.querySelector("[data-formset='" + add.getAttribute("data-add-row") + "']"));
      return;
    }
    var button = target.closest("[data-remove-row], [data-move]");
    if (!button) { return; }
    var row = button.closest("[data-row]");
    var box = row && row.closest("[data-formset]");
    if (!box) { return; }
    evt.preventDefault();
    if (button.hasAttribute("data-remove-row")) {
      var del = row.querySelector("input[name$='-DELETE']");
      if (del) { del.checked = true; }
      row.classList.add("is-removed");
    } else {
      var rows = rowsOf(box).filter(function (r) { return !r.classList.contains("is-removed"); });
      var at = rows.indexOf(row);
      if (button.getAttribute("data-move") === "up" && at > 0) {
        rows[at - 1].parentNode.insertBefore(row, rows[at - 1]);
      } else if (button.getAttribute("data-move") === "down" && at < rows.length - 1) {
        rows[at + 1].parentNode.insertBefore(rows[at + 1], row);
      }
      button.focus();
    }
    renumber(box);
  });

  // ---- tracking form: progress slider with its number and quick picks ---------------------
  function wireProgress(box) {
    var range = box.querySelector("input[type=range]");
    var output = box.querySelector("output");
    if (!range || !output) { return; }
    function show() { output.textContent = range.value + "%"; }
    range.addEventListener("input", show);
    box.querySelectorAll("[data-progress]").forEach(function (chip) {
      chip.addEventListener("click", function (evt) {
        evt.preventDefault();
        range.value = chip.getAttribute("data-progress");
        show();
      });
    });
    show();
  }

  // With JS the row buttons replace the DELETE checkbox and the ORDER number.
  function enhance(root) {
    root.querySelectorAll(".order-field").forEach(function (el) { el.classList.add("d-none"); });
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.classList.remove("d-none"); });
    root.querySelectorAll("[data-nojs]").forEach(function (el) { el.classList.add("d-none"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-goal-chart]").forEach(drawChart);
    document.querySelectorAll("[data-progress-picker]").forEach(wireProgress);
    document.querySelectorAll("[data-formset]").forEach(enhance);
  });
})();
