// cosim report page script (report/assets/report.js, inlined by report.WriteHTML).
// It reads the chart options from the JSON block #cosim-data, attaches the tooltip formatters and
// the error-bar renderer (JavaScript functions cannot travel in JSON), and draws every chart.
// Every string that came from the report is passed through esc() before it reaches HTML.
(function () {
  "use strict";

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }
  function fixed(v, n) { return Number(v).toFixed(n); }
  function sig(v, n) { return Number(v).toPrecision(n); }
  function expo(v) { return v === 0 ? "0" : Number(v).toExponential(2); }
  // A number of unknown scale: exponent form when very small or large, else 5 significant digits.
  function num(v) {
    v = Number(v);
    if (v === 0 || !isFinite(v)) { return String(v); }
    var a = Math.abs(v);
    return (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
  }

  // Tooltip of one operating point; meta.series[seriesIndex].points[dataIndex] holds its numbers.
  function pointTip(meta) {
    return function (p) {
      var s = meta.series[p.seriesIndex];
      var q = s && s.points[p.dataIndex];
      if (!q) { return ""; }
      var where = s.frontier_of ? " of " + esc(s.frontier_of) : "";
      var proto = q.protocol ? ", protocol " + esc(q.protocol) : "";
      var images = q.images ? ", " + q.images + " images per trial" : "";
      return "<b>" + esc(q.model) + "</b> · " + esc(q.method) +
        (s.frontier ? " <i>(on the Pareto frontier" + where + ")</i>" : "") + "<br>" +
        "V<sub>DD</sub> = " + sig(q.vdd_v, 4) + " V, BER = " + expo(q.ber) + "<br>" +
        "energy = " + sig(q.energy_uj, 4) + " µJ per inference<br>" +
        "accuracy = " + fixed(q.acc_mean, 2) + " % (95% CI " + fixed(q.ci_low, 2) + " – " +
        fixed(q.ci_high, 2) + " %)<br>" +
        "min / max = " + fixed(q.acc_min, 2) + " / " + fixed(q.acc_max, 2) + " %, std = " +
        fixed(q.acc_std, 2) + " %, " + q.trials + " trials" + proto + images;
    };
  }

  // Tooltip of one point of a generic curve: series name, then x and y with the axis names.
  function curveTip(meta) {
    return function (p) {
      var v = p.value || [];
      return esc(p.seriesName) + "<br>" + esc(meta.x_label || "x") + " = " + num(v[0]) + "<br>" +
        esc(meta.y_label || "y") + " = " + num(v[1]);
    };
  }

  // The BER chart plots log10 of the BER (see the Go side's decadeAxisY).
  function berTip(p) {
    return esc(p.seriesName) + "<br>V<sub>DD</sub> = " + sig(p.value[0], 4) + " V, BER = " + expo(Math.pow(10, p.value[1]));
  }
  // Labels of an axis over log10 of a value: one per decade, as 1e-6.
  function decadeLabel(v) { return "1e" + Math.round(v); }
  function decadeAxes(axes) {
    (axes || []).forEach(function (a) {
      a.axisLabel = a.axisLabel || {};
      a.axisLabel.formatter = decadeLabel;
    });
  }

  // The breakdown chart: a tooltip per bar segment, and a selector that switches views.
  function shareTip(meta, current) {
    return function (p) {
      var v = meta.views[current()];
      var pct = v.total_uj > 0 ? " (" + fixed(100 * p.value / v.total_uj, 1) + " % of the total)" : "";
      return esc(p.name) + ", " + esc(p.seriesName) + ": " + sig(p.value, 4) + " µJ" + pct;
    };
  }
  function bindSelector(c, chart) {
    var sel = document.getElementById(c.id + "_select");
    if (!sel) { return; }
    sel.addEventListener("change", function () {
      var v = c.meta.views[Number(sel.value)];
      chart.setOption({
        title: { text: v.label, subtext: "total " + sig(v.total_uj, 4) + " µJ per inference" },
        xAxis: [{ data: v.names }],
        series: [{ data: v.dynamic }, { data: v.leakage }, { data: v.other }]
      });
    });
  }

  // Error bar for a custom series whose data items are [x, low, high]: a vertical line with caps.
  function errorBar(params, api) {
    var lo = api.coord([api.value(0), api.value(1)]);
    var hi = api.coord([api.value(0), api.value(2)]);
    var half = 4;
    var style = api.style({ stroke: api.visual("color"), fill: null, lineWidth: 1.5 });
    return {
      type: "group",
      children: [
        { type: "line", shape: { x1: lo[0] - half, y1: lo[1], x2: lo[0] + half, y2: lo[1] }, style: style },
        { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
        { type: "line", shape: { x1: hi[0] - half, y1: hi[1], x2: hi[0] + half, y2: hi[1] }, style: style }
      ]
    };
  }

  // Labels of logarithmic axes: powers of ten as 1e-6, anything else with two significant digits.
  function logLabel(v) {
    var e = Math.round(Math.log10(v));
    return Math.abs(Math.log10(v) - e) < 1e-9 ? "1e" + e : Number(v).toPrecision(2);
  }
  function fixLogAxes(axes) {
    (axes || []).forEach(function (a) {
      if (a.type === "log") {
        a.axisLabel = a.axisLabel || {};
        a.axisLabel.formatter = logLabel;
      }
    });
  }

  var data = JSON.parse(document.getElementById("cosim-data").textContent);
  var drawn = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) { return; }
    var opt = c.option;
    opt.tooltip = opt.tooltip || {};
    if (c.kind === "points") {
      opt.tooltip.formatter = pointTip(c.meta);
    } else if (c.kind === "ber") {
      opt.tooltip.formatter = berTip;
    } else if (c.kind === "shares") {
      opt.tooltip.formatter = shareTip(c.meta, function () {
        var sel = document.getElementById(c.id + "_select");
        return sel ? Number(sel.value) : 0;
      });
    } else if (c.kind === "curve") {
      opt.tooltip.formatter = curveTip(c.meta);
    }
    fixLogAxes(opt.xAxis);
    fixLogAxes(opt.yAxis);
    if (c.meta && c.meta.log_x) { decadeAxes(opt.xAxis); }
    if (c.meta && c.meta.log_y) { decadeAxes(opt.yAxis); }
    (opt.series || []).forEach(function (s) {
      if (s.type === "custom") { s.renderItem = errorBar; }
    });
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(opt);
    if (c.kind === "shares") { bindSelector(c, chart); }
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
