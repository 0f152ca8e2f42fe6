// The campaign wizard: asks the server to validate as the user types, then
// marks each visited block with its number, "!" or a green check, outlines
// the offending fields and enables "Next" and the save buttons only when
// the blocks are valid. The server's answer is the only authority.
(function () {
  const form = document.getElementById("wizard");
  if (!form) return;
  const blocks = Array.from(form.querySelectorAll("section.block"));
  const visited = new Set([blocks[0].dataset.block]);
  const editing = form.dataset.editing === "true";
  if (editing || blocks.some((b) => b.dataset.state !== "pending")) blocks.forEach((b) => visited.add(b.dataset.block));
  const zone = form.querySelector("input[name='settings-time_zone']");
  if (zone && !zone.value) {
    try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* server falls back */ }
  }
  let timer = null;
  let sequence = 0;

  function setState(block, valid) {
    const badge = block.querySelector(".block-state");
    const shown = visited.has(block.dataset.block);
    const state = !shown ? "pending" : valid ? "valid" : "invalid";
    block.dataset.state = state;
    badge.textContent = state === "valid" ? "✓" : state === "invalid" ? "!" : badge.dataset.number;
    badge.setAttribute("aria-label", "block " + badge.dataset.number + " " + state);
  }

  function showErrors(block, key, errors) {
    const shown = visited.has(key);
    block.querySelectorAll("[data-field]").forEach((wrapper) => {
      const name = wrapper.dataset.field;
      const field = name.slice(key.length + 1);
      const messages = shown ? errors[field] || [] : [];
      wrapper.querySelectorAll("input, select, textarea").forEach((input) => {
        input.classList.toggle("invalid", messages.length > 0);
        if (messages.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      });
      const list = wrapper.querySelector(".errorlist");
      if (list) list.innerHTML = messages.map((m) => "<li>" + escapeHtml(m) + "</li>").join("");
    });
    let blockErrors = block.querySelector(".block-errors");
    const general = shown ? errors.__all__ || [] : [];
    if (!blockErrors && general.length) {
      blockErrors = document.createElement("ul");
      blockErrors.className = "errorlist block-errors";
      block.querySelector(".block-body").prepend(blockErrors);
    }
    if (blockErrors) blockErrors.innerHTML = general.map((m) => "<li>" + escapeHtml(m) + "</li>").join("");
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  async function validate() {
    const mine = ++sequence;
    const data = new FormData(form);
    data.set("action", "validate");
    const response = await fetch(form.dataset.validateUrl, {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok || mine !== sequence) return;
    const result = await response.json();
    const mapping = document.getElementById("mapping");
    if (mapping && result.mapping_html !== undefined && !mapping.contains(document.activeElement)) {
      mapping.innerHTML = result.mapping_html;
    }
    let allValid = true;
    blocks.forEach((block, index) => {
      const key = block.dataset.block;
      const report = result.blocks[key];
      allValid = allValid && report.valid;
      setState(block, report.valid);
      showErrors(block, key, report.errors);
      const next = block.querySelector("button.next");
      if (next) next.disabled = !report.valid;
    });
    form.querySelectorAll("[data-needs-valid]").forEach((button) => { button.disabled = !allValid; });
    form.dataset.valid = allValid ? "true" : "false";
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(validate, 250);
  }

  function open(block) {
    visited.add(block.dataset.block);
    block.classList.remove("collapsed");
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("click", (event) => {
    const next = event.target.closest("button.next");
    if (next) {
      const index = parseInt(next.dataset.next, 10);
      blocks[index - 1].classList.add("collapsed");
      open(blocks[index]);
      validate();
      return;
    }
    const head = event.target.closest(".block-head");
    if (head) {
      const block = head.parentElement;
      if (block.classList.contains("collapsed")) open(block); else block.classList.add("collapsed");
      validate();
    }
  });
  // The block heads are buttons for the keyboard too (role="button", tabindex="0").
  form.addEventListener("keydown", (event) => {
    const head = event.target.closest(".block-head");
    if (head && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      head.click();
    }
  });
  form.addEventListener("submit", () => blocks.forEach((b) => visited.add(b.dataset.block)));
  validate();
})();
