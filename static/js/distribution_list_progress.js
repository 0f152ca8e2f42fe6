// The list page's live progress bar: polls the list's progress every second
// and reloads the page once the import is ready or failed.
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const bar = box.querySelector(".progress");
  const fill = bar.querySelector("span");
  const text = document.getElementById("progress-text");
  const number = new Intl.NumberFormat("en-GB");
  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        fill.style.width = state.percent + "%";
        bar.setAttribute("aria-valuenow", state.percent);
        text.textContent = number.format(state.rows_read) + " of " + number.format(state.rows_total) + " rows read";
        if (state.status !== "processing") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
