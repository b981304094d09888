// Charts of the dashboards: each <div class="cl-chart" data-chart-source="ID"> is drawn
// with the vendored ECharts (SVG renderer: sharp on a projector and in print) from the
// JSON spec in <script type="application/json" id="ID"> (see dashboards/tables.py). The
// table behind every chart is in the page too; without JavaScript the tables remain.
(function () {
  "use strict";

  var PALETTE = ["#135fb8", "#f59e0b", "#16a34a", "#dc2626", "#7c3aed", "#0891b2"];
  var charts = [];

  function baseSize() {
    var root = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(root * 0.85);
  }

  function option(spec) {
    var size = baseSize();
    var percentAxis = spec.percent ? 0 : (spec.percent_axis === undefined ? -1 : spec.percent_axis);
    var usesSecond = spec.series.some(function (s) { return s.axis === 1; });
    function axis(index) {
      var pct = percentAxis === index;
      return {
        type: "value",
        max: pct ? 100 : null,
        min: 0,
        axisLabel: { fontSize: size, formatter: pct ? "{value}%" : "{value}" },
        splitLine: { show: index === 0 }
      };
    }
    var many = spec.categories.length > 8;
    var lineOnly = spec.series.every(function (s) { return s.type === "line"; });
    return {
      animation: false,
      color: PALETTE,
      textStyle: { fontSize: size },
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 44 : 20, bottom: 8, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0, textStyle: { fontSize: size } } : undefined,
      tooltip: { trigger: "axis", textStyle: { fontSize: size } },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { fontSize: size, interval: 0, rotate: many ? 30 : 0 }
      },
      yAxis: usesSecond ? [axis(0), axis(1)] : [axis(0)],
      series: spec.series.map(function (s) {
        var pct = percentAxis === (s.axis || 0);
        var line = s.type === "line";
        return {
          name: s.name,
          type: line ? "line" : "bar",
          yAxisIndex: usesSecond ? (s.axis || 0) : 0,
          data: s.data,
          barMaxWidth: 56,
          symbol: s.dashed ? "none" : "circle",
          symbolSize: 8,
          lineStyle: s.dashed ? { type: "dashed", width: 2 } : { width: 3 },
          connectNulls: false,
          z: line ? 3 : 2,
          // Values are written on the bars; lines carry their values in the tooltip and
          // the table behind the chart (labels on both would overlap).
          label: {
            show: !line || (lineOnly && !many),
            position: "top",
            fontSize: size,
            formatter: function (p) { return p.value === null || p.value === undefined ? "" : p.value + (pct ? "%" : ""); }
          }
        };
      })
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll(".cl-chart[data-chart-source]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-source"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(spec));
      charts.push(chart);
    });
  }

  function resize() { charts.forEach(function (c) { c.resize(); }); }

  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", resize);
  // Print: open every table behind a chart and redraw the charts at the paper's width.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
    resize();
  });
  window.addEventListener("afterprint", resize);
  document.addEventListener("click", function (evt) {
    var button = evt.target instanceof Element ? evt.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });
})();
