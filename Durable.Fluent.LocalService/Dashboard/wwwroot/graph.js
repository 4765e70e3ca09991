// Draws a workflow as SVG without any library: parses the Mermaid flowchart the service renders for a registered .NET
// definition (the subset Workflow.ToMermaid() writes), or builds the same shape from an execution's operation tree, lays it
// out (chains top to bottom, parallel arms side by side) and colours each node by the state of its operations.
// Every label goes into the document as text (textContent), never as markup.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const NODE_H = 34, TERMINAL_H = 26, GAP = 24, PAD = 12, HEAD = 20, HGAP = 16, MAX_LABEL = 44;

  function unquote(text) { return text.replace(/#quot;/g, '"'); }

  function nameOf(label) {
    const first = label.indexOf("'"), last = label.lastIndexOf("'");
    return first >= 0 && last > first ? label.slice(first + 1, last) : null;
  }

  // Parses "flowchart TD" text: nodes id["label"], id(["label"]), id{{"label"}}, id[["label"]], id((label)); subgraph id["label"] ... end.
  // Edges are not needed: every chain is declared in order.
  function parseMermaid(text) {
    const root = { kind: 'group', root: true, label: '', children: [] };
    const stack = [root];
    const nodePattern = /^([A-Za-z0-9_]+)(\(\(|\(\[|\{\{|\[\[|\[)"?(.*?)"?(\)\)|\]\)|\}\}|\]\]|\])$/;
    for (const raw of String(text).split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('flowchart') || line.startsWith('direction') || line.startsWith('%%') || line.includes('-->')) continue;
      const top = stack[stack.length - 1];
      if (line === 'end') { if (stack.length > 1) stack.pop(); continue; }
      let m = /^subgraph\s+([A-Za-z0-9_]+)\["(.*)"\]$/.exec(line);
      if (m) {
        const label = unquote(m[2]);
        const group = { kind: 'group', id: m[1], label: label, name: nameOf(label), children: [] };
        top.children.push(group);
        stack.push(group);
        continue;
      }
      m = nodePattern.exec(line);
      if (m) {
        const label = unquote(m[3]);
        const terminal = m[2] === '((';
        top.children.push({ kind: 'node', id: m[1], label: label, name: terminal ? null : nameOf(label), terminal: terminal, shape: m[2] });
      }
    }
    return root;
  }

  // The same shape from operations (when the service has no definition for the function): a chain of the top-level
  // operations, each operation with children drawn as a box around its own chain.
  function fromOperations(ops) {
    const byParent = new Map();
    for (const op of ops) {
      const key = op.parentId || '';
      if (!byParent.has(key)) byParent.set(key, []);
      byParent.get(key).push(op);
    }
    const build = (op) => {
      const label = op.type + (op.name ? " '" + op.name + "'" : '');
      const kids = byParent.get(op.id) || [];
      if (kids.length === 0) return { kind: 'node', label: label, name: op.name, state: op.state };
      return { kind: 'group', label: label, name: op.name, state: op.state, children: kids.map(build) };
    };
    const ids = new Set(ops.map(o => o.id));
    const top = ops.filter(o => !o.parentId || !ids.has(o.parentId));
    return {
      kind: 'group', root: true, label: '',
      children: [{ kind: 'node', label: 'start', terminal: true }].concat(top.map(build), [{ kind: 'node', label: 'end', terminal: true }]),
    };
  }

  function textWidth(text) { return Math.ceil(text.length * 6.9); }

  function display(label) { return label.length > MAX_LABEL ? label.slice(0, MAX_LABEL - 1) + '…' : label; }

  function measure(it) {
    if (it.kind === 'node') {
      it.text = display(it.label);
      it.w = Math.max(it.terminal ? 64 : 140, textWidth(it.text) + 28);
      it.h = it.terminal ? TERMINAL_H : NODE_H;
      return;
    }
    it.text = display(it.label);
    it.children.forEach(measure);
    const n = it.children.length;
    const head = it.root ? 0 : HEAD, pad = it.root ? 0 : PAD;
    it.horizontal = !it.root && n > 1 && it.children.every(c => c.kind === 'group');
    if (n === 0) { it.w = Math.max(160, textWidth(it.text) + 2 * PAD); it.h = HEAD + 2 * PAD; return; }
    const ws = it.children.map(c => c.w), hs = it.children.map(c => c.h);
    if (it.horizontal) {
      it.w = ws.reduce((a, b) => a + b, 0) + HGAP * (n - 1) + 2 * pad;
      it.h = Math.max.apply(null, hs) + head + 2 * pad;
    } else {
      it.w = Math.max.apply(null, ws) + 2 * pad;
      it.h = hs.reduce((a, b) => a + b, 0) + GAP * (n - 1) + head + 2 * pad;
    }
    if (!it.root) it.w = Math.max(it.w, textWidth(it.text) + 2 * PAD);
  }

  function place(it, x, y) {
    it.x = x; it.y = y;
    if (it.kind !== 'group') return;
    const head = it.root ? 0 : HEAD, pad = it.root ? 0 : PAD;
    if (it.horizontal) {
      let cx = x + pad;
      for (const c of it.children) { place(c, cx, y + head + pad); cx += c.w + HGAP; }
    } else {
      let cy = y + head + pad;
      for (const c of it.children) { place(c, x + (it.w - c.w) / 2, cy); cy += c.h + GAP; }
    }
  }

  function svg(tag, attrs, parent) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }

  function text(parent, x, y, content, attrs) {
    const t = svg('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }

  function draw(it, layer, stateOf) {
    const state = it.terminal ? null : (it.state || (it.name ? stateOf(it.name) : null) || 'notreached');
    if (it.kind === 'node') {
      const g = svg('g', { class: 'node' + (it.terminal ? ' terminal' : '') + (state ? ' s-' + state : ''), 'data-name': it.name || '', 'data-state': state || '' }, layer);
      svg('title', {}, g).textContent = it.label + (state ? ' — ' + state.replace('_', ' ') : '');
      if (it.terminal) {
        svg('ellipse', { cx: it.x + it.w / 2, cy: it.y + it.h / 2, rx: it.w / 2, ry: it.h / 2 }, g);
      } else {
        const rounded = it.shape === '([' ? it.h / 2 : it.shape === '{{' ? 12 : 4;
        svg('rect', { x: it.x, y: it.y, width: it.w, height: it.h, rx: rounded, ry: rounded }, g);
      }
      text(g, it.x + it.w / 2, it.y + it.h / 2 + 4, it.text, { 'text-anchor': 'middle' });
      return;
    }
    if (!it.root) {
      const g = svg('g', { class: 'group' + (state && state !== 'notreached' ? ' s-' + state : ''), 'data-name': it.name || '' }, layer);
      svg('rect', { x: it.x, y: it.y, width: it.w, height: it.h, rx: 6, ry: 6 }, g);
      text(g, it.x + 8, it.y + 14, it.text);
      svg('title', {}, g).textContent = it.label;
    }
    for (const c of it.children) draw(c, layer, stateOf);
    if (!it.horizontal) {
      for (let i = 1; i < it.children.length; i++) {
        const a = it.children[i - 1], b = it.children[i];
        const x = b.x + b.w / 2, y1 = a.y + a.h, y2 = b.y;
        svg('line', { class: 'edge', x1: a.x + a.w / 2, y1: y1, x2: x, y2: y2 - 5 }, layer);
        svg('polygon', { class: 'edge-head', points: (x - 4) + ',' + (y2 - 7) + ' ' + (x + 4) + ',' + (y2 - 7) + ' ' + x + ',' + y2 }, layer);
      }
    }
  }

  // Renders a parsed tree into a new <svg>; stateOf(name) gives a node's state class (succeeded, failed, running,
  // waiting, pending, timed_out, stopped, cancelled) or null when nothing of that name ran.
  function render(tree, stateOf) {
    measure(tree);
    place(tree, 10, 10);
    const root = svg('svg', { width: tree.w + 20, height: tree.h + 20, viewBox: '0 0 ' + (tree.w + 20) + ' ' + (tree.h + 20), role: 'img' });
    svg('title', {}, root).textContent = 'Workflow graph';
    const edges = svg('g', {}, root);
    draw(tree, edges, stateOf || function () { return null; });
    return root;
  }

  window.DurableGraph = { parseMermaid: parseMermaid, fromOperations: fromOperations, render: render };
})();
