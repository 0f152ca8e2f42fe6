// Live progress of campaigns: the cards and the campaign page poll the
// dialer's numbers every two seconds and update them in place. The campaign
// page reloads when its status changes (its buttons depend on it).
(function () {
  const root = document.querySelector("[data-progress-url]");
  if (!root) return;
  const boxes = root.matches("[data-campaign]")
    ? [root]
    : Array.from(root.querySelectorAll("[data-campaign]"));
  if (!boxes.length) return;
  const badge = (box) =>
    box.querySelector("[data-status]") || document.querySelector("#campaign-status[data-status]");
  const url = root.dataset.progressUrl + "?ids=" + boxes.map((b) => b.dataset.campaign).join(",");
  const number = new Intl.NumberFormat("en-GB");
  let statuses = {};

  function apply(box, state) {
    box.querySelectorAll("[data-stat]").forEach((cell) => {
      const value = state[cell.dataset.stat];
      if (value !== undefined) cell.textContent = number.format(value);
    });
    const fill = box.querySelector("[data-progress]");
    if (fill) fill.style.width = state.progress_percent + "%";
    const status = badge(box);
    if (status) {
      status.textContent = state.status_label;
      status.className = status.className.replace(/status-\S+/, "status-" + state.status);
    }
    const previous = statuses[box.dataset.campaign];
    statuses[box.dataset.campaign] = state.status;
    if (previous && previous !== state.status && root.hasAttribute("data-reload-on-status")) {
      window.location.reload();
    }
  }

  async function poll() {
    let running = true;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        boxes.forEach((box) => {
          const state = data.campaigns[box.dataset.campaign];
          if (state) apply(box, state);
        });
        running = Object.values(data.campaigns).some((s) => s.status !== "finished");
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    if (running) window.setTimeout(poll, 2000);
  }
  poll();
})();
