// Small progressive enhancements shared by every dashboard page.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A preview table highlights the column its select names (the phone column of an import).
document.querySelectorAll("table[data-column-of]").forEach((table) => {
  const select = document.getElementById(table.dataset.columnOf);
  if (!select) return;
  const highlight = () => table.querySelectorAll("[data-column]").forEach((cell) => {
    cell.classList.toggle("phone-column", cell.dataset.column === select.value);
  });
  select.addEventListener("change", highlight);
  highlight();
});
