// The campaign wizard: asks the server to validate as the user types, then
// marks each visited block with its number, "!" or a green check and outlines
// the offending fields. A field's error shows once the user has changed it,
// or tried to go on ("Next") or to save or launch: nothing is red before the
// user has done anything (a required field not filled yet is only "Required"
// in its help). "Next" and the save buttons go on only when the blocks are
// valid. The server's answer is the only authority.
(function () {
  const form = document.getElementById("wizard");
  if (!form) return;
  const blocks = Array.from(form.querySelectorAll("section.block"));
  const visited = new Set([blocks[0].dataset.block]);
  const editing = form.dataset.editing === "true";
  // Fields the user has changed, and blocks the user tried to leave with "Next" or to save.
  const touched = new Set();
  const attempted = new Set();
  // The script is deferred: what the user changed before it ran counts as changed.
  form.querySelectorAll("input, select, textarea").forEach((input) => {
    const options = input.tagName === "SELECT" ? Array.from(input.options) : null;
    // A single select with no option marked selected shows its first one.
    const changed = options
      ? input.multiple
        ? options.some((option) => option.selected !== option.defaultSelected)
        : input.selectedIndex !== Math.max(0, options.findIndex((option) => option.defaultSelected))
      : input.type === "checkbox" || input.type === "radio"
        ? input.checked !== input.defaultChecked
        : input.value !== input.defaultValue;
    if (changed && input.name) touched.add(input.name);
  });
  const submitted = blocks.some((b) => b.dataset.state !== "pending"); // the server answered a save
  if (editing || submitted) blocks.forEach((b) => visited.add(b.dataset.block));
  if (submitted) blocks.forEach((b) => attempted.add(b.dataset.block));
  const zone = form.querySelector("input[name='settings-time_zone']");
  if (zone && !zone.value) {
    try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* server falls back */ }
  }
  let timer = null;
  let sequence = 0;

  function setState(block, valid, errorsShown) {
    const badge = block.querySelector(".block-state");
    const shown = visited.has(block.dataset.block);
    const state = !shown ? "pending" : valid ? "valid" : errorsShown ? "invalid" : "pending";
    block.dataset.state = state;
    badge.textContent = state === "valid" ? "✓" : state === "invalid" ? "!" : badge.dataset.number;
    badge.setAttribute("aria-label", "block " + badge.dataset.number + " " + state);
  }

  // Shows the errors the user should see now; returns whether it showed any.
  function showErrors(block, key, errors) {
    const shown = visited.has(key);
    const all = attempted.has(key);
    let any = false;
    block.querySelectorAll("[data-field]").forEach((wrapper) => {
      const name = wrapper.dataset.field;
      const field = name.slice(key.length + 1);
      const messages = shown && (all || touched.has(name)) ? errors[field] || [] : [];
      any = any || messages.length > 0;
      wrapper.querySelectorAll("input, select, textarea").forEach((input) => {
        input.classList.toggle("invalid", messages.length > 0);
        if (messages.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      });
      const list = wrapper.querySelector(".errorlist");
      if (list) list.innerHTML = messages.map((m) => "<li>" + escapeHtml(m) + "</li>").join("");
    });
    let blockErrors = block.querySelector(".block-errors");
    const general = shown && all ? errors.__all__ || [] : [];
    any = any || general.length > 0;
    if (!blockErrors && general.length) {
      blockErrors = document.createElement("ul");
      blockErrors.className = "errorlist block-errors";
      block.querySelector(".block-body").prepend(blockErrors);
    }
    if (blockErrors) blockErrors.innerHTML = general.map((m) => "<li>" + escapeHtml(m) + "</li>").join("");
    return any;
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
    if (!response.ok || mine !== sequence) return null;
    const result = await response.json();
    const mapping = document.getElementById("mapping");
    if (mapping && result.mapping_html !== undefined && !mapping.contains(document.activeElement)) {
      mapping.innerHTML = result.mapping_html;
    }
    let allValid = true;
    blocks.forEach((block) => {
      const key = block.dataset.block;
      const report = result.blocks[key];
      allValid = allValid && report.valid;
      setState(block, report.valid, showErrors(block, key, report.errors));
    });
    form.dataset.valid = allValid ? "true" : "false";
    return result;
  }

  // The latest answer, asking again when a newer request overtook this one.
  async function validated() {
    for (;;) {
      const result = await validate();
      if (result) return result;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(validate, 250);
  }

  function open(block) {
    visited.add(block.dataset.block);
    block.classList.remove("collapsed");
  }

  function touch(event) {
    if (event.target.name) touched.add(event.target.name);
    schedule();
  }
  form.addEventListener("input", touch);
  form.addEventListener("change", touch);
  form.addEventListener("click", async (event) => {
    const next = event.target.closest("button.next");
    if (next) {
      const index = parseInt(next.dataset.next, 10);
      const block = blocks[index - 1];
      attempted.add(block.dataset.block); // its errors show now, if any
      const result = await validated();
      if (!result.blocks[block.dataset.block].valid) return;
      block.classList.add("collapsed");
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
  // Save or launch: the blocks are checked first; the invalid ones open with their errors.
  let checked = false;
  form.addEventListener("submit", async (event) => {
    if (checked) return;
    event.preventDefault();
    const submitter = event.submitter;
    blocks.forEach((b) => { visited.add(b.dataset.block); attempted.add(b.dataset.block); });
    const result = await validated();
    const invalid = blocks.filter((b) => !result.blocks[b.dataset.block].valid);
    if (invalid.length) {
      invalid.forEach((b) => b.classList.remove("collapsed"));
      invalid[0].scrollIntoView({ block: "start" });
      return;
    }
    checked = true;
    form.requestSubmit(submitter);
  });
  validate();
})();
