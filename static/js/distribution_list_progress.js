// The list page's live progress: polls the list's progress every second,
// redraws the three phases (reading, checking numbers, saving), each with its
// own bar, and the status badge, and reloads the page once the import is
// ready or failed.
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const badge = document.querySelector("#list-status .badge");
  const order = ["reading", "checking", "saving"];
  const number = new Intl.NumberFormat("en-GB");

  function draw(state) {
    const current = order.indexOf(state.phase);
    box.dataset.phase = state.phase;
    order.forEach((key, index) => {
      const item = box.querySelector(`[data-phase="${key}"]`);
      if (!item) return;
      let status = "waiting";
      let percent = 0;
      let text = "";
      if (index < current) {
        status = "done";
        percent = 100;
        text = key === "reading" ? "done" : key === "checking" ? number.format(state.rows_to_save) + " rows checked" : "";
      } else if (index === current) {
        status = "current";
        percent = state.percent;
        if (key === "checking") text = number.format(state.rows_read) + " of " + number.format(state.rows_total) + " rows";
        if (key === "saving") {
          // No count yet (none comes before the end on SQLite): the bar moves instead.
          text = (state.rows_saved ? number.format(state.rows_saved) + " of " : "") + number.format(state.rows_to_save) + " rows";
        }
      }
      item.className = "phase " + status;
      item.querySelector(".phase-text").textContent = text;
      const bar = item.querySelector(".progress");
      bar.querySelector("span").style.width = percent + "%";
      bar.setAttribute("aria-valuenow", percent);
    });
    if (badge) badge.textContent = state.phase ? `${state.phase_display.toLowerCase()} ${state.percent}%` : "queued";
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        if (state.status !== "processing") {
          window.location.reload();
          return;
        }
        draw(state);
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
