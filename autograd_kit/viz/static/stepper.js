// step_backward widget: the graph is laid out once (an SVG made in Python); a step only moves the
// highlight and swaps the text panel. Everything needed for every step is already in `frames`.
// Each step's cost (JS side, ms) is pushed to window.__akStepTimes (read by the browser test).
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "ak-stepper";
  const bar = document.createElement("div");
  bar.className = "ak-bar";
  const mk = (label, title) => {
    const b = document.createElement("button");
    b.textContent = label; b.title = title; b.className = "ak-btn"; bar.appendChild(b); return b;
  };
  const reset = mk("↺ Reset", "Reset"), prev = mk("◀ Previous", "Previous"), play = mk("▶ Play", "Play / Pause"),
        next = mk("Next ▶", "Next");
  const slider = document.createElement("input");
  slider.type = "range"; slider.min = 0; slider.className = "ak-slider"; bar.appendChild(slider);
  const counter = document.createElement("span"); counter.className = "ak-counter"; bar.appendChild(counter);
  const graph = document.createElement("div"); graph.className = "ak-graph";
  const panel = document.createElement("div"); panel.className = "ak-panel";
  root.append(bar, graph, panel); el.appendChild(root);

  // the readable static copy shown next to the widget (for exports without a kernel): hide it live
  for (const e of document.querySelectorAll(`[data-ak-static="${CSS.escape(model.get("uid") || "-")}"]`)) {
    e.style.display = "none";
  }
  const frames = () => model.get("frames");
  const svg = model.get("svg");
  if (svg) { graph.innerHTML = svg; } else {
    const pre = document.createElement("pre"); pre.textContent = model.get("dot") + "\n" + model.get("hint");
    graph.appendChild(pre);
  }
  const byId = (id) => graph.querySelector(`[id="${CSS.escape(id)}"]`);
  let marked = [];
  let timer = null;

  function show(step) {
    const fs = frames();
    for (const e of marked) e.classList.remove("ak-current", "ak-done");
    marked = [];
    const f = step > 0 ? fs[step - 1] : null;
    if (f) {
      for (const id of f.done) { const e = byId(id); if (e) { e.classList.add("ak-done"); marked.push(e); } }
      for (const id of [f.node_id, ...f.extra_ids]) {
        const e = byId(id); if (e) { e.classList.add("ak-current"); marked.push(e); }
      }
      panel.innerHTML = f.html;
    } else {
      const note = model.get("note");
      panel.innerHTML = `<b>step 0 / ${fs.length}</b><div>Press Next to run the first backward node.</div>`;
      if (note) { const d = document.createElement("div"); d.className = "ak-note"; d.textContent = note; panel.appendChild(d); }
    }
    panel.dataset.step = String(step);
    slider.max = fs.length; slider.value = step;
    counter.textContent = `${step} / ${fs.length}`;
  }
  function go(step) {
    const t0 = performance.now();
    const n = frames().length;
    step = Math.max(0, Math.min(n, step));
    model.set("step", step); model.save_changes(); show(step);
    (window.__akStepTimes = window.__akStepTimes || []).push(performance.now() - t0);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ Play"; } }
  reset.onclick = () => { stop(); go(0); };
  prev.onclick = () => { stop(); go(model.get("step") - 1); };
  next.onclick = () => { stop(); go(model.get("step") + 1); };
  slider.oninput = () => { stop(); go(Number(slider.value)); };
  play.onclick = () => {
    if (timer) { stop(); return; }
    if (model.get("step") >= frames().length) go(0);
    play.textContent = "⏸ Pause";
    timer = setInterval(() => {
      if (model.get("step") >= frames().length) { stop(); return; }
      go(model.get("step") + 1);
    }, 800);
  };
  model.on("change:step", () => show(model.get("step")));
  show(model.get("step"));
  return () => stop();
}
export default { render };
