// The home page's imports in progress: each bar polls its list's progress (the current
// phase and how far it is) every two seconds until the import is ready or failed.
(function () {
  "use strict";
  document.querySelectorAll("[data-list-progress-url]").forEach((box) => {
    const fill = box.querySelector("[data-list-fill]");
    const badge = box.querySelector("[data-list-status]");
    async function poll() {
      try {
        const response = await fetch(box.dataset.listProgressUrl, { headers: { Accept: "application/json" } });
        if (response.ok) {
          const state = await response.json();
          fill.style.width = state.percent + "%";
          fill.parentElement.setAttribute("aria-valuenow", state.percent);
          if (state.status !== "processing") {
            badge.textContent = state.status_display;
            badge.className = "badge " + (state.status === "ready" ? "ok" : "bad");
            return;
          }
          badge.textContent = (state.phase_display || "processing") + " " + state.percent + "%";
        }
      } catch (error) {
        // A dropped request is retried on the next tick.
      }
      window.setTimeout(poll, 2000);
    }
    window.setTimeout(poll, 1000);
  });
})();
