// The dashboard of the local durable service. It reads and acts only through the service's public REST routes
// (/2025-12-01/..., the emulator's list of all executions) and one read-only dashboard route for the Mermaid graph of a
// registered .NET definition. Everything that comes from an execution — names, payloads, errors — is user data and is put
// into the page as text (textContent), never as markup.
(function () {
  'use strict';
  const API = '/2025-12-01';
  const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'];
  const PAYLOAD_CAP = 1024;
  const REFRESH_MS = 2000;
  const view = document.getElementById('view');
  const notice = document.getElementById('notice');
  const live = document.getElementById('live');
  const refreshed = document.getElementById('refreshed');
  const filters = { statuses: new Set(), fn: '', name: '' };
  const expanded = new Set();
  const graphs = new Map();
  let timer = null;
  let renderId = 0;

  // ---- helpers -------------------------------------------------------------------------------------------------
  function el(tag, attrs) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const k in attrs) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') e.textContent = String(v);
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (let i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }

  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(c => append(parent, c)); return; }
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  class ApiError extends Error {
    constructor(status, type, message) { super(message); this.status = status; this.type = type; }
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options || {}));
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
    if (!response.ok) {
      const type = (body && (body.__type || body.Type)) || response.headers.get('x-amzn-ErrorType') || ('HTTP ' + response.status);
      const message = (body && (body.message || body.Message)) || (typeof body === 'string' ? body : '');
      throw new ApiError(response.status, String(type).split(':')[0], message);
    }
    return body;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of params) if (v !== null && v !== undefined && v !== '') q.append(k, v);
    const s = q.toString();
    return s ? '?' + s : '';
  }

  function say(message, ok) {
    notice.hidden = false;
    notice.className = 'notice' + (ok ? ' ok' : '');
    notice.textContent = message;
  }

  function quiet() { notice.hidden = true; notice.textContent = ''; }

  function failure(error) {
    return error instanceof ApiError ? error.type + ': ' + error.message : 'Request failed: ' + error.message;
  }

  function time(seconds) { return seconds ? new Date(seconds * 1000).toLocaleString() : '–'; }

  function clock(seconds) { return seconds ? new Date(seconds * 1000).toLocaleTimeString() : '–'; }

  function duration(start, end) {
    if (!start) return '–';
    const s = Math.max(0, (end || Date.now() / 1000) - start);
    if (s < 1) return Math.round(s * 1000) + ' ms';
    if (s < 120) return s.toFixed(1) + ' s';
    if (s < 7200) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return (s / 3600).toFixed(1) + ' h';
  }

  function functionOf(functionArn) {
    if (!functionArn) return '';
    const i = functionArn.indexOf(':function:');
    const rest = i < 0 ? functionArn : functionArn.slice(i + 10);
    const colon = rest.indexOf(':');
    return colon < 0 ? rest : rest.slice(0, colon);
  }

  function badge(status) {
    const s = String(status || 'unknown');
    return el('span', { class: 'badge s-' + s.toLowerCase(), text: s.replace('_', ' ') });
  }

  // A payload as text: JSON pretty-printed, capped at PAYLOAD_CAP characters with a "show more" button.
  function payload(text, key) {
    if (text === null || text === undefined) return el('span', { class: 'muted', text: '(none)' });
    let shown = String(text);
    try { if (shown.length < 200000) shown = JSON.stringify(JSON.parse(shown), null, 2); } catch (e) { /* not JSON: as is */ }
    const box = el('div', { class: 'payload-box', 'data-key': key });
    const pre = el('pre', { class: 'payload' });
    box.appendChild(pre);
    const full = expanded.has(key) || shown.length <= PAYLOAD_CAP;
    pre.textContent = full ? shown : shown.slice(0, PAYLOAD_CAP) + '…';
    if (!full) {
      box.appendChild(el('div', { class: 'more' }, el('button', {
        class: 'link', type: 'button', text: 'show more (' + (shown.length - PAYLOAD_CAP).toLocaleString() + ' more characters)',
        onclick: function () { expanded.add(key); pre.textContent = shown; this.remove(); },
      })));
    }
    return box;
  }

  function errorText(error) {
    if (!error) return null;
    return (error.ErrorType || 'Error') + (error.ErrorMessage ? ': ' + error.ErrorMessage : '');
  }

  function schedule(fn) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (live.checked) timer = setTimeout(fn, REFRESH_MS);
  }

  function stamp() { refreshed.textContent = 'updated ' + new Date().toLocaleTimeString(); }

  // ---- routing -------------------------------------------------------------------------------------------------
  function route() {
    if (timer) clearTimeout(timer);
    timer = null;
    quiet();
    const hash = location.hash || '#/';
    const m = /^#\/execution\/(.+)$/.exec(hash);
    renderId++;
    if (m) showExecution(decodeURIComponent(m[1]), renderId);
    else showList(renderId);
  }

  // ---- executions list -----------------------------------------------------------------------------------------
  function showList(id) {
    clear(view);
    document.title = 'Durable executions — local durable service';
    const statusBoxes = STATUSES.map(s => el('label', {},
      el('input', { type: 'checkbox', value: s, checked: filters.statuses.has(s), onchange: e => { e.target.checked ? filters.statuses.add(s) : filters.statuses.delete(s); load(); } }),
      badge(s)));
    const fn = el('input', { type: 'text', id: 'filter-function', placeholder: 'all functions', value: filters.fn });
    const name = el('input', { type: 'text', id: 'filter-name', placeholder: 'any name', value: filters.name });
    fn.addEventListener('change', () => { filters.fn = fn.value.trim(); load(); });
    name.addEventListener('change', () => { filters.name = name.value.trim(); load(); });
    const table = el('div', { id: 'executions' });
    view.append(
      el('h1', { text: 'Executions' }),
      el('div', { class: 'panel filters' },
        el('span', { class: 'muted', text: 'Status' }), statusBoxes,
        el('label', {}, 'Function ', fn),
        el('label', {}, 'Name ', name)),
      el('div', { class: 'panel' }, table));
    let pages = [];
    let marker = null;

    async function fetchPage(pageMarker) {
      const params = [['ReverseOrder', 'true'], ['MaxItems', '50'], ['Marker', pageMarker], ['DurableExecutionName', filters.name]];
      for (const s of filters.statuses) params.push(['Statuses', s]);
      const base = filters.fn ? API + '/functions/' + encodeURIComponent(filters.fn) + '/durable-executions' : API + '/durable-executions';
      return api(base + query(params));
    }

    async function load() {
      try {
        const page = await fetchPage(null);
        if (id !== renderId) return;
        pages = [page.DurableExecutions || []];
        marker = page.NextMarker || null;
        draw();
        stamp();
        quiet();
      } catch (e) {
        if (id !== renderId) return;
        say(failure(e));
      }
      if (id === renderId) schedule(load);
    }

    async function more() {
      try {
        const page = await fetchPage(marker);
        pages.push(page.DurableExecutions || []);
        marker = page.NextMarker || null;
        draw();
      } catch (e) { say(failure(e)); }
    }

    function draw() {
      clear(table);
      const rows = pages.flat();
      if (rows.length === 0) {
        table.append(el('div', { class: 'empty', text: 'No executions' + (filters.statuses.size || filters.fn || filters.name ? ' match the filters.' : ' yet. Start one with: durable start <function> --input <json>') }));
        return;
      }
      table.append(el('table', { class: 'executions' },
        el('thead', {}, el('tr', {}, ['Name', 'Function', 'Status', 'Started', 'Ended', 'Duration'].map(h => el('th', { text: h })))),
        el('tbody', {}, rows.map(x => el('tr', { 'data-arn': x.DurableExecutionArn },
          el('td', {}, el('a', { href: '#/execution/' + encodeURIComponent(x.DurableExecutionArn), text: x.DurableExecutionName || x.DurableExecutionArn })),
          el('td', { text: functionOf(x.FunctionArn) }),
          el('td', {}, badge(x.Status)),
          el('td', { text: time(x.StartTimestamp) }),
          el('td', { text: time(x.EndTimestamp) }),
          el('td', { text: duration(x.StartTimestamp, x.EndTimestamp) }))))));
      if (marker) table.append(el('div', { class: 'actions' }, el('button', { class: 'secondary', type: 'button', text: 'Load more', onclick: more })));
    }

    load();
  }

  // ---- one execution -------------------------------------------------------------------------------------------
  async function history(arn) {
    const events = [];
    let marker = null;
    do {
      const page = await api(API + '/durable-executions/' + encodeURIComponent(arn) + '/history' + query([['IncludeExecutionData', 'true'], ['MaxItems', '1000'], ['Marker', marker]]));
      events.push.apply(events, page.Events || []);
      marker = page.NextMarker || null;
    } while (marker);
    return events;
  }

  async function definitionGraph(fn) {
    if (graphs.has(fn)) return graphs.get(fn);
    let text = null;
    try {
      const response = await fetch('/dashboard/api/graph/' + encodeURIComponent(fn), { cache: 'no-store' });
      if (response.ok) text = await response.text();
    } catch (e) { text = null; }
    graphs.set(fn, text);
    return text;
  }

  function details(e) { return e[e.EventType + 'Details'] || {}; }

  const TYPES = { Execution: 'EXECUTION', Step: 'STEP', Wait: 'WAIT', Callback: 'CALLBACK', Context: 'CONTEXT', ChainedInvoke: 'CHAINED_INVOKE' };

  // The operations of an execution, rebuilt from its history: type, status, attempts, payloads, timestamps.
  function operations(events) {
    const ops = new Map();
    for (const e of events) {
      if (!e.Id || e.EventType === 'InvocationCompleted') continue;
      const kind = Object.keys(TYPES).find(k => e.EventType.startsWith(k));
      if (!kind || kind === 'Execution') continue;
      const d = details(e);
      let op = ops.get(e.Id);
      if (!op) {
        op = { id: e.Id, parentId: e.ParentId || null, name: e.Name || null, type: TYPES[kind], subType: e.SubType || null, status: 'STARTED', start: e.EventTimestamp, end: null, attempts: 0, result: null, error: null, callbackId: null, waitUntil: null, nextAttemptIn: null, events: 0 };
        ops.set(e.Id, op);
      }
      op.events++;
      const verb = e.EventType.slice(kind.length);
      const retry = d.RetryDetails || null;
      if (retry && retry.CurrentAttempt) op.attempts = Math.max(op.attempts, retry.CurrentAttempt);
      op.nextAttemptIn = null;
      if (d.Result) op.result = d.Result.Payload === undefined ? null : d.Result.Payload;
      if (d.Error) op.error = d.Error.Payload || null;
      if (d.CallbackId) op.callbackId = d.CallbackId;
      if (d.ScheduledEndTimestamp) op.waitUntil = d.ScheduledEndTimestamp;
      switch (verb) {
        case 'Started': op.status = 'STARTED'; if (kind === 'Step') op.attempts = Math.max(op.attempts, 1); break;
        case 'Succeeded':
          if (retry && retry.NextAttemptDelaySeconds !== undefined && retry.NextAttemptDelaySeconds !== null) { op.status = 'PENDING'; op.nextAttemptIn = retry.NextAttemptDelaySeconds; }
          else { op.status = 'SUCCEEDED'; op.end = e.EventTimestamp; }
          break;
        case 'Failed':
          if (retry && retry.NextAttemptDelaySeconds !== undefined && retry.NextAttemptDelaySeconds !== null) { op.status = 'PENDING'; op.nextAttemptIn = retry.NextAttemptDelaySeconds; }
          else { op.status = 'FAILED'; op.end = e.EventTimestamp; }
          break;
        case 'TimedOut': op.status = 'TIMED_OUT'; op.end = e.EventTimestamp; break;
        case 'Stopped': op.status = 'STOPPED'; op.end = e.EventTimestamp; break;
        case 'Cancelled': op.status = 'CANCELLED'; op.end = e.EventTimestamp; break;
        default: break;
      }
    }
    const list = Array.from(ops.values());
    const byId = new Map(list.map(o => [o.id, o]));
    for (const op of list) op.state = OWN_STATE[op.status] || 'running';
    // A started operation that waits on the world (a wait, a callback, an invoke) is "waiting", and so is every started
    // operation around it (the context of a WaitForCallback, a parallel branch...).
    for (const op of list) {
      if (op.status !== 'STARTED' || !(op.type === 'CALLBACK' || op.type === 'WAIT' || op.type === 'CHAINED_INVOKE')) continue;
      for (let p = op; p; p = p.parentId ? byId.get(p.parentId) : null) if (p.status === 'STARTED') p.state = 'waiting';
    }
    return list;
  }

  const OWN_STATE = { SUCCEEDED: 'succeeded', FAILED: 'failed', TIMED_OUT: 'timed_out', PENDING: 'pending', STOPPED: 'stopped', CANCELLED: 'cancelled', STARTED: 'running' };
  const PRECEDENCE = ['failed', 'timed_out', 'pending', 'waiting', 'running', 'stopped', 'cancelled', 'succeeded'];

  // The colour of a graph node: the states of its operations (several for a step in a loop or a map) folded into one.
  function stateOf(ops) {
    if (!ops || ops.length === 0) return null;
    return PRECEDENCE.find(s => ops.some(o => o.state === s)) || 'succeeded';
  }

  function depthOf(op, byId) {
    let depth = 0;
    for (let p = op.parentId && byId.get(op.parentId); p; p = p.parentId && byId.get(p.parentId)) depth++;
    return depth;
  }

  // Through the CSS object model: the Content-Security-Policy refuses style attributes.
  function indent(row, depth) { row.style.setProperty('--depth', String(depth)); return row; }

  function treeOrder(ops) {
    const byParent = new Map();
    const ids = new Set(ops.map(o => o.id));
    for (const op of ops) {
      const key = op.parentId && ids.has(op.parentId) ? op.parentId : '';
      if (!byParent.has(key)) byParent.set(key, []);
      byParent.get(key).push(op);
    }
    const out = [];
    const walk = key => (byParent.get(key) || []).forEach(op => { out.push(op); walk(op.id); });
    walk('');
    return out;
  }

  function eventKind(type) {
    if (type === 'InvocationCompleted') return 'invocation';
    if (/Succeeded$/.test(type)) return 'succeeded';
    if (/(Failed|TimedOut|Stopped)$/.test(type)) return 'failed';
    if (type === 'WaitStarted' || type === 'CallbackStarted') return 'waiting';
    return 'started';
  }

  function describe(e) {
    const d = details(e);
    const p = x => (x && x.Payload !== undefined && x.Payload !== null ? x.Payload : '');
    const short = s => (s.length > 160 ? s.slice(0, 160) + '…' : s);
    const err = d.Error && d.Error.Payload ? errorText(d.Error.Payload) : '';
    const r = d.RetryDetails || {};
    switch (e.EventType) {
      case 'ExecutionStarted': return 'input ' + short(p(d.Input));
      case 'StepFailed': return 'attempt ' + (r.CurrentAttempt || 1) + ' failed: ' + err + (r.NextAttemptDelaySeconds != null ? ' — retry in ' + r.NextAttemptDelaySeconds + ' s' : '');
      case 'StepSucceeded': return (r.NextAttemptDelaySeconds != null ? 'recorded, next attempt in ' + r.NextAttemptDelaySeconds + ' s: ' : 'result ') + short(p(d.Result));
      case 'WaitStarted': return (d.Duration || 0) + ' s, until ' + clock(d.ScheduledEndTimestamp);
      case 'CallbackStarted': return 'callback id ' + (d.CallbackId || '');
      case 'InvocationCompleted': return err ? 'invocation ended with ' + err : 'invocation ended';
      default:
        if (d.Error) return err;
        if (d.Result) return short(p(d.Result));
        return '';
    }
  }

  async function showExecution(arn, id) {
    clear(view);
    const sections = {
      head: el('div'), actions: el('div'), graph: el('div', { class: 'panel graph', id: 'graph' }),
      ops: el('div', { class: 'panel', id: 'operations' }), timeline: el('div', { class: 'panel', id: 'timeline' }),
    };
    view.append(el('p', {}, el('a', { href: '#/', text: '← all executions' })), sections.head, sections.actions, sections.graph, sections.ops, sections.timeline);
    let actionsKey = null;

    async function load() {
      let execution, events;
      try {
        [execution, events] = await Promise.all([
          api(API + '/durable-executions/' + encodeURIComponent(arn) + query([['IncludeExecutionData', 'true']])),
          history(arn),
        ]);
      } catch (e) {
        if (id !== renderId) return;
        say(failure(e));
        schedule(load);
        return;
      }
      if (id !== renderId) return;
      const fn = functionOf(execution.FunctionArn);
      const mermaid = await definitionGraph(fn);
      if (id !== renderId) return;
      const ops = operations(events);
      document.title = (execution.DurableExecutionName || 'Execution') + ' — durable execution';
      drawHead(execution, fn);
      const open = execution.Status === 'RUNNING' ? ops.filter(o => o.type === 'CALLBACK' && o.status === 'STARTED') : [];
      const key = execution.Status + '|' + open.map(o => o.callbackId).join(',');
      if (key !== actionsKey) { actionsKey = key; drawActions(execution, open); }
      drawGraph(mermaid, ops);
      drawOperations(ops);
      drawTimeline(events);
      stamp();
      if (execution.Status === 'RUNNING') schedule(load);
    }

    function drawHead(x, fn) {
      clear(sections.head);
      const rows = [
        ['Function', fn + (x.Version ? ' (' + x.Version + ')' : '')],
        ['ARN', el('span', { class: 'mono', text: x.DurableExecutionArn })],
        ['Started', time(x.StartTimestamp)],
        ['Ended', time(x.EndTimestamp)],
        ['Duration', duration(x.StartTimestamp, x.EndTimestamp)],
        ['Input', payload(x.InputPayload, 'input')],
      ];
      if (x.Status === 'SUCCEEDED') rows.push(['Result', payload(x.Result, 'result')]);
      if (x.Error) rows.push(['Error', payload(errorText(x.Error) + (x.Error.ErrorData ? '\n' + x.Error.ErrorData : '') + (x.Error.StackTrace ? '\n' + x.Error.StackTrace.join('\n') : ''), 'error')]);
      sections.head.append(
        el('h1', {}, x.DurableExecutionName || 'Execution', ' ', el('span', { id: 'status' }, badge(x.Status))),
        el('div', { class: 'panel' }, el('dl', { class: 'summary' }, rows.map(r => [el('dt', { text: r[0] }), el('dd', {}, r[1])]))));
    }

    function drawActions(x, open) {
      clear(sections.actions);
      if (x.Status !== 'RUNNING') return;
      const panel = el('div', { class: 'panel', id: 'actions' }, el('h2', { text: 'Act on this execution' }));
      if (open.length === 0) panel.append(el('p', { class: 'muted', text: 'No callback is waiting for an answer.' }));
      for (const op of open) {
        const result = el('textarea', { rows: 3, class: 'callback-result', placeholder: 'The result, e.g. {"approved": true}' });
        const errType = el('input', { class: 'field callback-error-type', placeholder: 'error type (default CallbackFailed)' });
        const errMessage = el('input', { class: 'field callback-error-message', placeholder: 'error message' });
        const base = API + '/durable-execution-callbacks/' + encodeURIComponent(op.callbackId);
        const send = (what, options, done) => async function () {
          this.disabled = true;
          try { await api(base + '/' + what, Object.assign({ method: 'POST' }, options)); say(done, true); actionsKey = null; load(); }
          catch (e) { say(failure(e)); }
          finally { this.disabled = false; }
        };
        panel.append(el('div', { class: 'callback', 'data-callback-id': op.callbackId },
          el('div', {}, 'Callback ', el('strong', { text: op.name || op.id }), ' ', el('span', { class: 'mono muted', text: op.callbackId })),
          result,
          el('div', { class: 'actions' },
            el('button', { type: 'button', class: 'send-success', text: 'Send success', onclick: function () { return send('succeed', { headers: { 'Content-Type': 'application/octet-stream' }, body: result.value }, 'Callback completed.').call(this); } }),
            el('button', { type: 'button', class: 'secondary send-heartbeat', text: 'Heartbeat', onclick: send('heartbeat', {}, 'Heartbeat sent.') }),
            errType, errMessage,
            el('button', { type: 'button', class: 'danger send-failure', text: 'Send failure', onclick: function () {
              const error = { ErrorType: errType.value.trim() || 'CallbackFailed' };
              if (errMessage.value.trim()) error.ErrorMessage = errMessage.value.trim();
              return send('fail', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(error) }, 'Callback failed.').call(this);
            } }))));
      }
      const stopType = el('input', { class: 'field stop-error-type', placeholder: 'error type (optional)' });
      const stopMessage = el('input', { class: 'field stop-error-message', placeholder: 'error message (optional)' });
      const stop = el('button', { type: 'button', class: 'danger stop', text: 'Stop execution' });
      stop.addEventListener('click', async () => {
        if (stop.dataset.armed !== 'yes') { stop.dataset.armed = 'yes'; stop.textContent = 'Click again to stop it'; return; }
        stop.disabled = true;
        const error = {};
        if (stopType.value.trim()) error.ErrorType = stopType.value.trim();
        if (stopMessage.value.trim()) error.ErrorMessage = stopMessage.value.trim();
        try {
          await api(API + '/durable-executions/' + encodeURIComponent(arn) + '/stop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(error) });
          say('Execution stopped.', true);
          actionsKey = null;
          load();
        } catch (e) { say(failure(e)); stop.disabled = false; }
      });
      panel.append(el('div', { class: 'callback' }, el('div', { class: 'actions' }, stopType, stopMessage, stop)));
      sections.actions.append(panel);
    }

    function drawGraph(mermaid, ops) {
      clear(sections.graph);
      const byName = new Map();
      for (const op of ops) {
        if (!op.name) continue;
        if (!byName.has(op.name)) byName.set(op.name, []);
        byName.get(op.name).push(op);
      }
      const tree = mermaid ? window.DurableGraph.parseMermaid(mermaid) : window.DurableGraph.fromOperations(ops);
      sections.graph.append(
        el('h2', { text: mermaid ? 'Workflow graph (the registered definition, coloured by state)' : 'Operation graph (no .NET definition registered for this function)' }),
        window.DurableGraph.render(tree, name => stateOf(byName.get(name))),
        el('div', { class: 'legend' }, ['succeeded', 'running', 'waiting', 'pending', 'failed', 'timed_out', 'stopped', 'notreached'].map(s => el('span', { class: 'badge s-' + s, text: s === 'notreached' ? 'not reached' : s.replace('_', ' ') }))));
    }

    function drawOperations(ops) {
      clear(sections.ops);
      const byId = new Map(ops.map(o => [o.id, o]));
      sections.ops.append(el('h2', { text: 'Operations' }));
      if (ops.length === 0) { sections.ops.append(el('div', { class: 'empty', text: 'No operations yet.' })); return; }
      sections.ops.append(el('table', { class: 'ops' },
        el('thead', {}, el('tr', {}, ['Operation', 'Status', 'Attempts', 'Started', 'Duration'].map(h => el('th', { text: h })))),
        el('tbody', {}, treeOrder(ops).map(op => {
          const depth = depthOf(op, byId);
          const extra = [];
          if (op.callbackId && op.status === 'STARTED') extra.push(el('div', { class: 'mono muted', text: 'callback id ' + op.callbackId }));
          if (op.waitUntil && op.status === 'STARTED') extra.push(el('div', { class: 'muted', text: 'until ' + clock(op.waitUntil) }));
          if (op.nextAttemptIn !== null) extra.push(el('div', { class: 'muted', text: 'next attempt in ' + op.nextAttemptIn + ' s' }));
          if (op.error) extra.push(payload(errorText(op.error) + (op.error.ErrorData ? '\n' + op.error.ErrorData : ''), 'op-error-' + op.id));
          if (op.result !== null && op.result !== '') extra.push(payload(op.result, 'op-result-' + op.id));
          return [
            indent(el('tr', { class: depth ? 'child' : '', 'data-operation': op.name || op.id },
              el('td', { class: 'name' }, el('strong', { text: op.name || op.id }), ' ', el('span', { class: 'muted', text: op.type.toLowerCase().replace('_', ' ') + (op.subType ? ' · ' + op.subType : '') })),
              el('td', {}, badge(op.status)),
              el('td', { text: op.type === 'STEP' ? String(op.attempts || 0) : '' }),
              el('td', { text: clock(op.start) }),
              el('td', { text: op.end ? duration(op.start, op.end) : '' })), depth),
            extra.length ? el('tr', { class: 'op-details' }, el('td', { colspan: 5 }, extra)) : null,
          ];
        }))));
    }

    function drawTimeline(events) {
      clear(sections.timeline);
      const t0 = events.length ? events[0].EventTimestamp : 0;
      sections.timeline.append(el('h2', { text: 'History (' + events.length + ' events)' }),
        el('ol', { class: 'timeline' }, events.map(e => el('li', { class: 'k-' + eventKind(e.EventType), 'data-event': e.EventType },
          el('span', { class: 'when', text: clock(e.EventTimestamp) + ' +' + (e.EventTimestamp - t0).toFixed(1) + 's' }),
          el('span', { class: 'what', text: '#' + e.EventId + ' ' + e.EventType }),
          e.Name ? el('span', { text: " '" + e.Name + "'" }) : null,
          el('div', { class: 'muted', text: describe(e) })))));
    }

    load();
  }

  live.addEventListener('change', () => { if (live.checked) route(); else if (timer) clearTimeout(timer); });
  window.addEventListener('hashchange', route);
  route();
})();
