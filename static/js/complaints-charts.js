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
  var palette = ["#1d4e6b", "#b45309", "#15803d", "#6d28d9", "#b91c1c", "#0e7490", "#a16207",
    "#be185d", "#4d7c0f", "#1e40af", "#9a3412", "#475569", "#7c2d12"];
  var base = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
  };
  function options(extra) {
    return Object.assign({}, base, extra || {});
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }
  draw("chart-by-nature", {
    type: "bar",
    data: {
      labels: data.months,
      datasets: data.byNature.map(function (row, i) {
        return { label: row.label, data: row.counts, backgroundColor: palette[i % palette.length] };
      })
    },
    options: options({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } })
  });
  draw("chart-by-platform", {
    type: "bar",
    data: {
      labels: data.byPlatform.map(function (row) { return row.label; }),
      datasets: [{ label: "Incidents", data: data.byPlatform.map(function (row) { return row.count; }), backgroundColor: palette[0] }]
    },
    options: options({ indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } })
  });
  draw("chart-resolution", {
    type: "bar",
    data: {
      labels: data.resolution.map(function (row) { return row.label; }),
      datasets: [{ label: "Incidents", data: data.resolution.map(function (row) { return row.count; }), backgroundColor: palette[2] }]
    },
    options: options({ plugins: { legend: { display: false } } })
  });
})();
