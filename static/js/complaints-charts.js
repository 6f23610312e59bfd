// Charts of anonymised incident figures (headteacher's dashboard, governors' statistics).
// The numbers come from a JSON data block written by Django's json_script (no inline script),
// and are also in a table beside each chart for screen readers.
(function () {
  "use strict";
  var source = document.getElementById("incident-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  // One colour-blind-safe palette (Okabe and Ito) for every chart; each chart uses one colour,
  // so no reader has to tell two shades apart, and the numbers are in a table beside it.
  var palette = { blue: "#0072B2", green: "#009E73", vermilion: "#D55E00" };
  var base = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
  };
  // A horizontal chart names every bar (Chart.js would otherwise skip every other label when
  // they crowd), each cut to a length that fits beside the bars; the tooltip and the table below
  // give the whole name.
  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    return label.length > 28 ? label.slice(0, 27).trimEnd() + "\u2026" : label;
  }
  var everyLabel = { autoSkip: false, callback: shortLabel };
  function options(extra) {
    return Object.assign({}, base, extra || {});
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }
  draw("chart-per-month", {
    type: "bar",
    data: {
      labels: data.months,
      datasets: [{ label: "Incidents", data: data.monthTotals, backgroundColor: palette.blue }]
    },
    options: options({ plugins: { legend: { display: false } } })
  });
  draw("chart-by-nature", {
    type: "bar",
    data: {
      labels: data.byNature.map(function (row) { return row.label; }),
      datasets: [{ label: "Mentions", data: data.byNature.map(function (row) { return row.total; }), backgroundColor: palette.vermilion }]
    },
    options: options({
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Mentions (a post can have several natures)" } },
        y: { ticks: everyLabel }
      }
    })
  });
  draw("chart-by-platform", {
    type: "bar",
    data: {
      labels: data.byPlatform.map(function (row) { return row.label; }),
      datasets: [{ label: "Incidents", data: data.byPlatform.map(function (row) { return row.count; }), backgroundColor: palette.blue }]
    },
    options: options({
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: everyLabel } }
    })
  });
  draw("chart-resolution", {
    type: "bar",
    data: {
      labels: data.resolution.map(function (row) { return row.label; }),
      datasets: [{ label: "Incidents", data: data.resolution.map(function (row) { return row.count; }), backgroundColor: palette.green }]
    },
    options: options({ plugins: { legend: { display: false } } })
  });
})();
