// Small progressive enhancements shared by every dashboard page.

// A form with data-confirm asks first, in a dialog of the page that says what
// will happen (data-confirm-title, data-confirm, data-confirm-button); Cancel
// has the focus, so Enter or Escape never does the risky thing by accident.
function confirmDialog() {
  let dialog = document.getElementById("confirm-dialog");
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.id = "confirm-dialog";
  dialog.className = "confirm";
  dialog.setAttribute("aria-labelledby", "confirm-title");
  dialog.setAttribute("aria-describedby", "confirm-text");
  dialog.innerHTML =
    '<form method="dialog"><h2 id="confirm-title"></h2><p id="confirm-text"></p>' +
    '<div class="confirm-actions"><button value="cancel" id="confirm-cancel">Cancel</button>' +
    '<button value="ok" id="confirm-ok"></button></div></form>';
  document.body.append(dialog);
  return dialog;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  // The button pressed may ask its own question (one form, an Export and an Erase button).
  const asker = event.submitter && event.submitter.dataset.confirm ? event.submitter : form;
  const question = asker.dataset && asker.dataset.confirm;
  if (!question) return;
  if (form.dataset.confirmed === "yes") {
    delete form.dataset.confirmed; // asked again after coming back to the page
    return;
  }
  event.preventDefault();
  const submitter = event.submitter || undefined;
  if (typeof HTMLDialogElement === "undefined") {
    if (window.confirm(question)) {
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter);
    }
    return;
  }
  const dialog = confirmDialog();
  dialog.querySelector("#confirm-title").textContent = asker.dataset.confirmTitle || "Are you sure?";
  dialog.querySelector("#confirm-text").textContent = question;
  const ok = dialog.querySelector("#confirm-ok");
  ok.textContent = asker.dataset.confirmButton || "Yes";
  ok.className = asker.dataset.confirmDanger !== undefined ? "danger-solid" : "primary";
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok") return;
    form.dataset.confirmed = "yes";
    form.requestSubmit(submitter);
  };
  dialog.showModal();
  dialog.querySelector("#confirm-cancel").focus();
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

// The markup preview greys out the file's first row while it is taken as the header.
document.querySelectorAll("tr[data-header-row]").forEach((row) => {
  const box = document.getElementById("id_has_header");
  if (!box) return;
  const mark = () => row.classList.toggle("file-header", box.checked);
  box.addEventListener("change", mark);
  mark();
});
