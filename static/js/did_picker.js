// The customer's DIDs tab: select every DID of the page, and see the selection against the package's room.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("assign-form");
  if (!form) return;
  const room = Number(form.dataset.room);
  const all = document.getElementById("pick-all");
  const boxes = () => Array.from(form.querySelectorAll("input.pick"));
  const count = document.getElementById("picked-count");
  const button = document.getElementById("assign-button");
  const update = () => {
    const picked = boxes().filter((box) => box.checked).length;
    count.textContent = String(picked);
    button.disabled = picked === 0 || picked > room;
    button.title = picked > room ? `Only ${room} more fit in this package.` : "";
    all.checked = picked > 0 && picked === boxes().length;
    all.indeterminate = picked > 0 && picked < boxes().length;
  };
  all.addEventListener("change", () => { boxes().forEach((box) => { box.checked = all.checked; }); update(); });
  form.addEventListener("change", (event) => { if (event.target.classList.contains("pick")) update(); });
  update();
});
