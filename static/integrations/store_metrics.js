// Store page: one line chart per metric from the JSON the page carries
// (#store-metric-series), with the alert threshold as a dashed line. No inline script:
// the Content-Security-Policy is script-src 'self'.
(function () {
  "use strict";

  function draw() {
    var data = document.getElementById("store-metric-series");
    if (!data || typeof window.echarts === "undefined") { return; }
    var series = JSON.parse(data.textContent);
    series.forEach(function (metric) {
      var box = document.querySelector('.metric-chart[data-metric="' + metric.code + '"]');
      if (!box) { return; }
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      var line = {
        type: "line",
        name: metric.name,
        data: metric.points,
        showSymbol: metric.points.length < 40,
        lineStyle: { width: 2 },
        itemStyle: { color: "#0b3a75" }
      };
      if (metric.threshold !== null) {
        line.markLine = {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: "#c81e1e" },
          data: [{ yAxis: metric.threshold }]
        };
      }
      chart.setOption({
        grid: { left: 40, right: 16, top: 16, bottom: 28 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "time" },
        yAxis: { type: "value", scale: true, name: metric.unit },
        series: [line]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
