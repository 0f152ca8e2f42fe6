// The pool page of the admin: autocomplete of eligible DIDs, tabs, and the
// in-place fix of incorrect numbers. Every action also works as a plain form.
(function () {
  "use strict";
  const root = document.getElementById("members");
  if (!root) return;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]");

  // --- Tabs -------------------------------------------------------------------
  function showTab(name) {
    root.querySelectorAll(".pool-tab").forEach((tab) => tab.classList.toggle("active", tab.dataset.tab === name));
    root.querySelectorAll(".pool-tab-panel").forEach((panel) => { panel.hidden = panel.id !== "tab-" + name; });
  }
  root.querySelectorAll(".pool-tab").forEach((tab) => tab.addEventListener("click", (event) => {
    event.preventDefault();
    showTab(tab.dataset.tab);
    history.replaceState(null, "", "?tab=" + tab.dataset.tab + "#members");
  }));

  // --- Autocomplete of eligible DIDs -------------------------------------------
  const search = document.getElementById("did-search");
  if (search) {
    const results = document.getElementById("did-results");
    const chosen = document.getElementById("did-chosen");
    const submit = document.getElementById("did-add");
    let timer = null;
    const picked = () => new Set([...chosen.querySelectorAll("input[name=did]")].map((i) => i.value));

    function choose(item) {
      if (picked().has(String(item.id))) return;
      const tag = document.createElement("span");
      tag.textContent = item.number + " ";
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "did"; hidden.value = item.id;
      const drop = document.createElement("button");
      drop.type = "button"; drop.textContent = "×"; drop.title = "Do not add " + item.number;
      drop.addEventListener("click", () => { tag.remove(); submit.disabled = !picked().size; });
      tag.append(hidden, drop);
      chosen.append(tag);
      submit.disabled = false;
    }

    async function lookup() {
      const url = root.dataset.eligibleUrl + "?q=" + encodeURIComponent(search.value);
      const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) return;
      const data = await response.json();
      results.replaceChildren();
      const already = picked();
      if (!data.results.length) {
        const none = document.createElement("li");
        none.textContent = "No eligible DID matches.";
        results.append(none);
      }
      for (const item of data.results) {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "did-option";
        button.textContent = item.label;
        button.disabled = already.has(String(item.id));
        button.addEventListener("click", () => { choose(item); button.disabled = true; });
        li.append(button);
        results.append(li);
      }
    }
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookup, 200); });
    search.addEventListener("focus", () => { if (!results.children.length) lookup(); });
    search.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
  }

  // --- Fixing incorrect numbers in place -----------------------------------------
  const correctBody = document.querySelector("#correct-numbers tbody");
  function count(id, delta) {
    const el = document.getElementById(id);
    el.textContent = String(Number(el.textContent) + delta);
  }
  function addCorrectRow(member) {
    const empty = correctBody.querySelector("tr.empty");
    if (empty) empty.remove();
    const tr = document.createElement("tr");
    tr.dataset.member = member.id;
    tr.className = "just-fixed";
    for (const value of ["", member.position, member.number, member.status, member.locality, member.state]) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    correctBody.append(tr);
    count("correct-count", 1);
  }

  root.querySelectorAll("tr[data-incorrect]").forEach((row) => {
    const edit = row.querySelector(".incorrect-edit");
    const form = row.querySelector(".incorrect-fix");
    const input = form.querySelector("input[name=raw]");
    edit.addEventListener("click", () => { edit.hidden = true; form.hidden = false; input.focus(); input.select(); });
    form.querySelector(".incorrect-cancel").addEventListener("click", () => { form.hidden = true; edit.hidden = false; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData(form);
      const response = await fetch(form.action, {
        method: "POST", body, headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf ? csrf.value : "" },
      });
      const data = await response.json();
      if (data.ok) {
        row.remove();
        count("incorrect-count", -1);
        addCorrectRow(data.member);
        return;
      }
      if (data.error) {
        row.querySelector(".message").textContent = data.error;
        return;
      }
      edit.textContent = data.raw;
      row.querySelector(".reason").textContent = data.reason;
      row.querySelector(".message").textContent = data.message;
      form.hidden = true; edit.hidden = false;
    });
  });
})();
