// Calls by outcome over time: the one chart of the home page and the campaign report.
// The server sends everything in the customer's time zone (campaigns/charts.py): tick
// labels, tooltip titles and one dataset per outcome; this file only draws them with the
// vendored Chart.js (static/vendor/, see docs/decisions/report-chart.md).
//
// <div class="outcome-chart" data-chart-url="...json">  or  data-chart-json="id of a json_script"
//   with optional data-range="today" and buttons [data-chart-range] to switch ranges.
(function () {
  "use strict";
  if (!window.Chart) return;
  const number = new Intl.NumberFormat("en-GB");
  const css = getComputedStyle(document.documentElement);
  const ink = css.getPropertyValue("--muted").trim() || "#5b6573";
  const grid = css.getPropertyValue("--line").trim() || "#e3e7ee";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = ink;

  function answered(series, index) {
    let total = 0;
    let yes = 0;
    series.datasets.forEach((set) => {
      total += set.data[index];
      if (set.key === "answered") yes += set.data[index];
    });
    return { total, yes };
  }

  function config(series) {
    const labelled = series.ticks.map((tick, i) => (tick ? i : -1)).filter((i) => i >= 0);
    return {
      type: "bar",
      data: {
        labels: series.ticks.map((tick, i) => i),
        datasets: series.datasets.map((set) => ({
          label: set.label,
          data: set.data,
          backgroundColor: set.colour,
          borderRadius: 2,
          borderSkipped: "start",
          maxBarThickness: 48,
          barPercentage: 0.9,
          categoryPercentage: 0.9,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            stacked: true,
            grid: { display: false },
            border: { color: grid },
            ticks: {
              autoSkip: false,
              maxRotation: 0,
              // The server's labels fall on round times; on a narrow screen keep every k-th of them.
              callback: function (value) {
                const label = series.ticks[value];
                if (!label) return "";
                const room = Math.max(2, Math.floor(this.width / 64));
                const every = Math.ceil(labelled.length / room);
                return labelled.indexOf(value) % every === 0 ? label : "";
              },
            },
          },
          y: {
            stacked: true,
            beginAtZero: true,
            border: { display: false },
            grid: { color: grid },
            ticks: { precision: 0, maxTicksLimit: 6, callback: (value) => number.format(value) },
            title: { display: true, text: "calls per " + series.bucket },
          },
        },
        plugins: {
          legend: {
            position: "top",
            align: "end",
            labels: { boxWidth: 12, boxHeight: 12, useBorderRadius: true, borderRadius: 2 },
          },
          tooltip: {
            filter: (item) => item.raw > 0,
            callbacks: {
              title: (items) => (items.length ? series.titles[items[0].dataIndex] : ""),
              label: (item) => " " + item.dataset.label + ": " + number.format(item.raw),
              footer: (items) => {
                if (!items.length) return "";
                const { total, yes } = answered(series, items[0].dataIndex);
                return total
                  ? number.format(total) + " calls, " + Math.round((100 * yes) / total) + "% answered"
                  : "no calls";
              },
            },
          },
        },
      },
    };
  }

  function draw(box, data) {
    const ranges = data.ranges || { all: data };
    let range = box.dataset.range || Object.keys(ranges)[0];
    const canvas = box.querySelector("canvas");
    const empty = box.querySelector("[data-chart-empty]");
    const caption = box.querySelector("[data-chart-caption]");
    let chart = null;

    function show(name) {
      range = name;
      const series = ranges[name];
      if (chart) chart.destroy();
      chart = new Chart(canvas, config(series));
      canvas.setAttribute(
        "aria-label",
        "Calls by outcome per " + series.bucket + ": " + number.format(series.total) + " in all"
      );
      if (caption) {
        caption.textContent =
          "Each bar: calls that started in " + (/^\d/.test(series.bucket) ? "" : "one ") + series.bucket +
          ", by outcome · times in " + series.zone;
      }
      if (empty) empty.hidden = !series.empty;
      box.dataset.rendered = name;
      document.querySelectorAll("[data-chart-range]").forEach((button) => {
        button.setAttribute("aria-pressed", String(button.dataset.chartRange === name));
      });
    }

    document.querySelectorAll("[data-chart-range]").forEach((button) => {
      button.addEventListener("click", () => show(button.dataset.chartRange));
    });
    show(range);
  }

  document.querySelectorAll(".outcome-chart").forEach(async (box) => {
    if (box.dataset.chartJson) {
      draw(box, JSON.parse(document.getElementById(box.dataset.chartJson).textContent));
      return;
    }
    try {
      const response = await fetch(box.dataset.chartUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      draw(box, await response.json());
    } catch (error) {
      box.querySelector("[data-chart-error]").hidden = false;
    }
  });
})();
