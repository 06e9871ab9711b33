// step_backward / step_forward widget: the graph is laid out once (an SVG made in Python); a step only
// sets each node's state (data-ak = current | done | pending | hidden), highlights the edges that carry
// this step's values, updates value cards, scrolls the current node into view and swaps the text panel.
// Everything needed for every step is already in `frames`. Each step's cost (JS side, ms) is pushed to
// window.__akStepTimes (read by the browser test).
const MIN_SCALE = 0.83; // Graphviz fontsize 10pt = 13.3 px; never shrink labels below 11 px
const LEGEND = {
  backward: [["current", "running now"], ["done", "done"], ["pending", "not run yet"], ["edge", "carries this step's gradient"]],
  forward: [["current", "just recorded"], ["done", "recorded"], ["edge", "its inputs"]],
};

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
  const legend = document.createElement("div"); legend.className = "ak-legend";
  const mode = model.get("mode") || "backward";
  for (const [k, text] of LEGEND[mode] || []) {
    const s = document.createElement("span"); s.className = `ak-key ak-key-${k}`; s.textContent = text; legend.appendChild(s);
  }
  const graph = document.createElement("div"); graph.className = "ak-graph";
  const panel = document.createElement("div"); panel.className = "ak-panel";
  const main = document.createElement("div"); main.className = "ak-main"; main.append(graph, panel);
  root.append(bar, legend, main); el.appendChild(root);

  // the readable static copies (PNG image + step list, for exports and untrusted notebooks): hide them live
  for (const e of document.querySelectorAll(`[data-ak-static="${CSS.escape(model.get("uid") || "-")}"]`)) {
    const out = e.closest(".jp-OutputArea-child") || e;
    const before = out.previousElementSibling;
    if (before && before.querySelector && before.querySelector(".jp-RenderedImage")) before.style.display = "none";
    out.style.display = "none";
  }
  const frames = () => model.get("frames");
  const svgText = model.get("svg");
  if (svgText) { graph.innerHTML = svgText; } else {
    const pre = document.createElement("pre"); pre.textContent = model.get("dot") + "\n" + model.get("hint");
    graph.appendChild(pre);
  }
  const svg = graph.querySelector("svg");
  const nodes = new Map(), edges = new Map();
  for (const g of graph.querySelectorAll("g.node")) nodes.set(g.id, g);
  for (const g of graph.querySelectorAll("g.edge")) {
    const t = g.querySelector("title"); if (t) edges.set(t.textContent.replace("&#45;", "-"), g);
  }
  const inFrames = new Set(), hideable = new Set();
  for (const f of frames()) { for (const id of f.current) inFrames.add(id); for (const id of f.reveal) hideable.add(id); }
  const gradTexts = new Map(); // card id -> [text element, original text]
  const cardText = (id) => {
    if (!gradTexts.has(id)) {
      const g = nodes.get(id);
      const t = g && [...g.querySelectorAll("text")].find((e) => e.textContent.startsWith("grad"));
      gradTexts.set(id, t ? [t, t.textContent] : null);
    }
    return gradTexts.get(id);
  };

  // fit the graph to the output's width, never below MIN_SCALE (then it scrolls)
  let natural = null;
  if (svg) {
    const pt = (a) => parseFloat(svg.getAttribute(a) || "0") * 96 / 72;
    natural = [pt("width"), pt("height")];
    svg.removeAttribute("width"); svg.removeAttribute("height");
  }
  function fit() {
    if (!svg || !natural[0]) return;
    const width = root.clientWidth;
    if (width <= 0) return;
    // a narrow (top-to-bottom) graph gets the text panel beside it, else the panel goes below
    const side = natural[0] + 340 <= width;
    root.classList.toggle("ak-side", side);
    const avail = (side ? natural[0] : width) - 4;
    const scale = Math.max(MIN_SCALE, Math.min(1, avail / natural[0]));
    svg.style.width = `${natural[0] * scale}px`; svg.style.height = `${natural[1] * scale}px`;
  }
  fit();
  if (window.ResizeObserver) new ResizeObserver(() => fit()).observe(root);

  function bounds(ids) {
    const els = ids.map((id) => nodes.get(id)).filter((e) => e);
    if (!els.length) return null;
    let top = Infinity, left = Infinity, bottom = -Infinity, right = -Infinity;
    for (const e of els) {
      const r = e.getBoundingClientRect();
      top = Math.min(top, r.top); left = Math.min(left, r.left); bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right);
    }
    return { top, left, bottom, right };
  }
  // scroll the graph so the current node is in view, with the other ends of its highlighted edges if they fit
  function intoView(ids, near) {
    const h = graph.clientHeight, w = graph.clientWidth;
    let b = bounds([...ids, ...near]);
    if (!b || b.bottom - b.top > h || b.right - b.left > w) b = bounds(ids);
    if (!b) return;
    const box = graph.getBoundingClientRect();
    const top = box.top + graph.clientTop, left = box.left + graph.clientLeft;
    if (b.top < top || b.bottom > top + h) graph.scrollTop += (b.top + b.bottom) / 2 - (top + h / 2);
    if (b.left < left || b.right > left + w) graph.scrollLeft += (b.left + b.right) / 2 - (left + w / 2);
  }

  let timer = null, shown = -1;
  function show(step) {
    shown = step;
    const fs = frames();
    const state = new Map();
    const start = model.get("start") || [];
    const f = step > 0 ? fs[step - 1] : null;
    if (mode === "backward") {
      for (const id of inFrames) state.set(id, "pending");
      for (const id of start) state.set(id, step === 0 ? "current" : "done");
    } else {
      for (const id of hideable) state.set(id, "hidden");
    }
    const cards = new Map();
    for (let i = 0; i < step - 1; i++) {
      for (const id of fs[i].current) state.set(id, "done");
      for (const id of fs[i].reveal) if (state.get(id) === "hidden") state.set(id, "done");
      for (const [id, text] of Object.entries(fs[i].grads)) cards.set(id, text);
    }
    const on = new Set();
    if (f) {
      for (const id of f.reveal) state.set(id, "done");
      for (const id of f.current) state.set(id, "current");
      for (const [id, text] of Object.entries(f.grads)) cards.set(id, text);
      for (const [a, b] of f.edges) on.add(`${a}->${b}`);
    }
    for (const [id, g] of nodes) {
      const s = state.get(id);
      if (s) g.setAttribute("data-ak", s); else g.removeAttribute("data-ak");
    }
    for (const [key, g] of edges) {
      const [a, b] = key.split("->");
      const hidden = state.get(a) === "hidden" || state.get(b) === "hidden";
      if (hidden) g.setAttribute("data-ak", "hidden");
      else if (on.has(key)) g.setAttribute("data-ak", "on");
      else g.removeAttribute("data-ak");
    }
    for (const id of new Set([...gradTexts.keys(), ...cards.keys()])) {
      const t = cardText(id);
      if (t) t[0].textContent = cards.has(id) ? cards.get(id) : t[1];
    }
    if (f) {
      panel.innerHTML = f.html;
    } else {
      const first = mode === "backward"
        ? "Backward starts at the output (highlighted) with the seed gradient ∂out/∂out = 1. Press Next to run the first node."
        : "Only the inputs exist so far. Press Next to run the first operation and record its node.";
      panel.innerHTML = `<div class="ak-head"><b>step 0 / ${fs.length}</b></div><div>${first}</div>`;
      const note = model.get("note");
      if (note) { const d = document.createElement("div"); d.className = "ak-note"; d.textContent = note; panel.appendChild(d); }
    }
    panel.dataset.step = String(step);
    slider.max = fs.length; slider.value = step;
    counter.textContent = `${step} / ${fs.length}`;
    intoView(f ? f.focus : (mode === "backward" ? start : []), f ? [...f.edges.flat(), ...f.reveal] : []);
  }
  function go(step) {
    const t0 = performance.now();
    const n = frames().length;
    step = Math.max(0, Math.min(n, step));
    show(step);
    try { model.set("step", step); model.save_changes(); } catch (e) { /* saved state with no kernel: view only */ }
    (window.__akStepTimes = window.__akStepTimes || []).push(performance.now() - t0);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ Play"; } }
  reset.onclick = () => { stop(); go(0); };
  prev.onclick = () => { stop(); go(shown - 1); };
  next.onclick = () => { stop(); go(shown + 1); };
  slider.oninput = () => { stop(); go(Number(slider.value)); };
  play.onclick = () => {
    if (timer) { stop(); return; }
    if (shown >= frames().length) go(0);
    play.textContent = "⏸ Pause";
    timer = setInterval(() => {
      if (shown >= frames().length) { stop(); return; }
      go(shown + 1);
    }, 900);
  };
  model.on("change:step", () => { if (model.get("step") !== shown) show(model.get("step")); });
  // after the first layout (sizes are known once the element is on the page)
  requestAnimationFrame(() => { fit(); show(shown); });
  show(model.get("step"));
  return () => stop();
}
export default { render };
