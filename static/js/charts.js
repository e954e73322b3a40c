/*
 * Charts of the dashboard and the school profile (Chart.js, vendored).
 * Each <canvas data-chart="kind" data-source="id"> is drawn from the JSON in
 * <script id="id">, which the server also shows as a table under the chart.
 */
(function () {
  "use strict";

  var RED = "#b02a37", BLUE = "#5b7fa6", GREY = "#adb5bd", GREEN = "#2f7d4f", ORANGE = "#d9822b";

  var fmt = window.portalFormat.number;

  // Reference lines (the 30 % line, the 25 % cut, the median) drawn over the chart.
  var refLines = {
    id: "refLines",
    afterDatasetsDraw: function (chart, args, options) {
      var ctx = chart.ctx, area = chart.chartArea;
      (options.lines || []).forEach(function (line) {
        var scale = chart.scales[line.axis];
        if (!scale || line.value === null || line.value === undefined) { return; }
        var at = scale.getPixelForValue(line.value);
        ctx.save();
        ctx.strokeStyle = line.color || RED;
        ctx.lineWidth = 2;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        if (line.axis === "x") { ctx.moveTo(at, area.top); ctx.lineTo(at, area.bottom); } else { ctx.moveTo(area.left, at); ctx.lineTo(area.right, at); }
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = line.color || RED;
        ctx.font = "12px system-ui, sans-serif";
        var labelY = line.bottom ? area.bottom - 6 : area.top + 12;
        if (line.axis === "x") { ctx.fillText(line.label, Math.min(at + 4, area.right - ctx.measureText(line.label).width), labelY); } else { ctx.fillText(line.label, area.left + 4, at - 4); }
        ctx.restore();
      });
    }
  };

  var builders = {
    histogram: function (data) {
      var high = data.bins.map(function (b) { return b.from >= data.line ? b.count : 0; });
      var low = data.bins.map(function (b) { return b.from >= data.line ? 0 : b.count; });
      return {
        type: "bar",
        data: {
          labels: data.bins.map(function (b) { return b.label; }),
          datasets: [
            { label: "меньше " + data.line + " %", data: low, backgroundColor: BLUE },
            { label: data.line + " % и больше — низкий результат", data: high, backgroundColor: RED }
          ]
        },
        options: {
          scales: { x: { stacked: true, title: { display: true, text: "доля «2» (не преодолели порог)" } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "школ" } } },
          plugins: { refLines: { lines: [{ axis: "x", value: data.line / 10 - 0.5, label: data.line + " %" }] } }
        }
      };
    },
    ranked: function (data) {
      var names = data.schools.map(function (s) { return s.school; });
      return {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            { label: "в 25 % с самыми низкими значениями", data: data.schools.map(function (s) { return s.flagged ? s.value : null; }), backgroundColor: RED },
            { label: "остальные школы", data: data.schools.map(function (s) { return s.flagged ? null : s.value; }), backgroundColor: BLUE }
          ]
        },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } } }, x: { title: { display: true, text: data.label } } },
          plugins: {
            tooltip: { callbacks: { label: function (item) { return fmt(item.raw, 3); } } },
            refLines: { lines: [{ axis: "x", value: data.cut, label: "граница 25 %", bottom: true }] }
          }
        }
      };
    },
    scatter: function (data) {
      var colors = { strong: GREEN, resilient: ORANGE, low_favourable: BLUE, low_hard: RED };
      return {
        type: "scatter",
        data: {
          datasets: data.quadrants.map(function (q) {
            return {
              label: q.label.split(" — ")[0], backgroundColor: colors[q.key], pointRadius: 5,
              data: data.points.filter(function (p) { return p.quadrant === q.key; }).map(function (p) { return { x: p.x, y: p.y, school: p.school }; })
            };
          })
        },
        options: {
          scales: { x: { title: { display: true, text: "индекс социального благополучия" } }, y: { title: { display: true, text: "индекс результатов" } } },
          plugins: {
            tooltip: { callbacks: { label: function (item) { return item.raw.school + ": " + fmt(item.raw.x, 2) + "; " + fmt(item.raw.y, 2); } } },
            refLines: { lines: [
              { axis: "x", value: data.x_cut, label: "25 % самых сложных", color: GREY },
              { axis: "y", value: data.y_median, label: "медиана результатов", color: GREY }
            ] }
          }
        }
      };
    },
    lines: function (data) {
      return {
        type: "line",
        data: {
          labels: data.statuses.map(function (s) { return s.year; }),
          datasets: [
            { label: "ШНОР", data: data.statuses.map(function (s) { return s.shnor; }), borderColor: RED, backgroundColor: RED },
            { label: "ШНСУ", data: data.statuses.map(function (s) { return s.shnsu; }), borderColor: ORANGE, backgroundColor: ORANGE, borderDash: [6, 4] }
          ]
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      };
    },
    bands: function (data) {
      // The gradation: schools by result index, coloured by band.
      var colors = { high: GREEN, middle: BLUE, low: RED };
      return {
        type: "bar",
        data: {
          labels: data.schools.map(function (s) { return s.school; }),
          datasets: ["low", "middle", "high"].map(function (band) {
            return { label: data.labels[band], backgroundColor: colors[band], data: data.schools.map(function (s) { return s.band === band ? s.value : null; }) };
          })
        },
        options: { indexAxis: "y", maintainAspectRatio: false, scales: { y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } } }, x: { title: { display: true, text: "индекс результатов" } } } }
      };
    },
    small: function (data) {
      // One procedure of the school profile: the school, the municipality and the region by year.
      var sets = [
        { label: "школа", data: data.school, borderColor: RED, backgroundColor: RED },
        { label: "муниципалитет", data: data.municipality, borderColor: BLUE, backgroundColor: BLUE, borderDash: [4, 3] }
      ];
      if (data.region && data.region.some(function (v) { return v !== null; })) {
        sets.push({ label: "регион", data: data.region, borderColor: GREY, backgroundColor: GREY, borderDash: [2, 2] });
      }
      return {
        type: "line",
        data: { labels: data.years, datasets: sets },
        options: { spanGaps: true, plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } }, scales: { x: { ticks: { font: { size: 10 } } }, y: { ticks: { font: { size: 10 } } } } }
      };
    }
  };

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    var build = builders[canvas.dataset.chart];
    if (!source || !build || typeof Chart === "undefined") { return; }
    var config = build(JSON.parse(source.textContent));
    config.options = config.options || {};
    config.options.locale = "ru-RU";
    config.options.animation = false;
    config.options.plugins = config.options.plugins || {};
    config.options.plugins.legend = config.options.plugins.legend || { position: "bottom" };
    canvas.dataset.ready = "1";
    new Chart(canvas, config);
  }

  function init(root) {
    (root || document).querySelectorAll("canvas[data-chart]:not([data-ready])").forEach(draw);
  }

  if (typeof Chart !== "undefined") { Chart.register(refLines); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  // Printed pages show every chart's table.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
  });
})();
