// As the officer chooses reasons and a date, show every in-force framework's verdict with the quoted rule.
// The server enforces the same rule on submit; this only tells the officer early.
(function () {
  "use strict";
  const form = document.getElementById("separation-form");
  if (!form) return;
  const panel = document.getElementById("verdicts");
  const dateInput = document.getElementById("separation_date");
  let pending = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(data) {
    panel.replaceChildren();
    const msg = el("p", data.needs_justification ? "flash error" : "flash ok", data.message);
    msg.id = "verdict-message";
    panel.appendChild(msg);
    const table = el("table", "verdicts");
    const head = el("tr");
    ["Framework", "Verdict", "Rule and quoted text"].forEach((h) => head.appendChild(el("th", "", h)));
    table.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    data.verdicts.forEach((v) => {
      const row = el("tr");
      row.appendChild(el("td", "", v.framework_id));
      const cell = el("td");
      cell.appendChild(el("span", "verdict " + v.verdict, v.verdict));
      row.appendChild(cell);
      const rule = el("td");
      rule.appendChild(el("div", "", v.explanation));
      rule.appendChild(el("blockquote", "", v.quote));
      rule.appendChild(el("cite", "", v.citation));
      row.appendChild(rule);
      body.appendChild(row);
    });
    table.appendChild(body);
    panel.appendChild(table);
    document.getElementById("justification-label").classList.toggle("required", data.needs_justification);
  }

  function check() {
    const reasons = Array.from(form.querySelectorAll("input.reason:checked")).map((i) => i.value);
    if (!reasons.length || !dateInput.value) {
      panel.replaceChildren(el("p", "muted", "Choose reasons to see the verdict of every framework in force."));
      document.getElementById("justification-label").classList.remove("required");
      return;
    }
    const params = new URLSearchParams({ date: dateInput.value });
    reasons.forEach((r) => params.append("reason", r));
    if (pending) pending.abort();
    pending = new AbortController();
    fetch("/api/policy/check?" + params.toString(), { credentials: "same-origin", signal: pending.signal })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then(render)
      .catch((e) => { if (e && e.name === "AbortError") return; panel.replaceChildren(el("p", "flash error", "Could not check the policy (" + e + ").")); });
  }

  form.addEventListener("change", check);
  dateInput.addEventListener("input", check);
  check();
})();
