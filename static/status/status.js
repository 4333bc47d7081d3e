// The master's live status page. Every value shown comes from /api/stream (server-sent events)
// and is written with textContent only: slave names and paths come from the outside.
'use strict';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

function seconds(ms) {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString();
}

/** A table cell (or any element) holding `text` as text, never as markup. */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className !== undefined) node.className = className;
  return node;
}

function badge(text, state) {
  const span = el('span', text, 'badge');
  // Only known states become a class name: anything else stays unstyled.
  if (['online', 'offline', 'remerging', 'connecting', 'ok', 'failed', 'live'].includes(state)) span.classList.add(state);
  return span;
}

function spaceCell(slave) {
  const td = el('td');
  if (typeof slave.totalBytes === 'number' && typeof slave.freeBytes === 'number' && slave.totalBytes > 0) {
    const bar = el('span', undefined, 'bar');
    const fill = el('span');
    fill.style.width = `${Math.round(((slave.totalBytes - slave.freeBytes) / slave.totalBytes) * 100)}%`;
    bar.append(fill);
    td.append(bar, `${bytes(slave.freeBytes)} free of ${bytes(slave.totalBytes)}`);
  } else if (typeof slave.freeBytes === 'number') {
    td.textContent = `${bytes(slave.freeBytes)} free`;
  } else {
    td.textContent = 'not reported';
  }
  return td;
}

function fillTable(id, rows, emptyId) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows);
  if (emptyId !== undefined) document.getElementById(emptyId).classList.toggle('hidden', rows.length > 0);
}

function render(status) {
  document.getElementById('sessions').textContent = String(status.sessions);
  document.getElementById('relayed').textContent = bytes(status.relayedBytes);
  document.getElementById('updated').textContent = clock(status.timeMs);

  fillTable('slaves', status.slaves.map((slave) => {
    const tr = el('tr');
    tr.dataset.slave = slave.name;
    const state = el('td');
    state.append(badge(slave.state, slave.state));
    const beat = slave.lastHeartbeatMs ? `${seconds(status.timeMs - slave.lastHeartbeatMs)} ago` : 'never';
    tr.append(el('td', slave.name, 'name'), state, spaceCell(slave), el('td', slave.load.toFixed(2), 'num'),
      el('td', slave.transfers, 'num'), el('td', slave.dataAddress ?? ''), el('td', beat), el('td', slave.conflicts ?? 0, 'num'));
    return tr;
  }), 'slaves-empty');

  fillTable('transfers', status.transfers.map((t) => {
    const tr = el('tr');
    tr.dataset.session = t.sessionId;
    tr.append(el('td', t.user ?? ''), el('td', t.verb), el('td', t.path, 'path'), el('td', bytes(t.bytes), 'num'),
      el('td', `${bytes(t.bytesPerSecond)}/s`, 'num'), el('td', seconds(status.timeMs - t.startedMs), 'num'));
    return tr;
  }), 'transfers-empty');

  fillTable('recent', status.recentTransfers.map((t) => {
    const tr = el('tr');
    const result = el('td');
    result.append(badge(t.ok ? 'ok' : (t.errorCode ?? 'failed'), t.ok ? 'ok' : 'failed'));
    tr.append(el('td', t.user ?? ''), el('td', t.verb), el('td', t.path, 'path'), el('td', bytes(t.bytes), 'num'),
      el('td', `${bytes(t.bytesPerSecond)}/s`, 'num'), el('td', t.method ?? ''), result);
    return tr;
  }));

  document.getElementById('events').replaceChildren(...status.events.map((event) => {
    const li = el('li');
    li.append(el('time', clock(event.timeMs)), el('span', event.kind, 'kind'), el('strong', event.slave), ': ', el('span', event.message));
    return li;
  }));
}

function connect() {
  const connection = document.getElementById('connection');
  const source = new EventSource('api/stream');
  source.onopen = () => {
    connection.textContent = 'live';
    connection.className = 'badge live';
  };
  source.onmessage = (message) => {
    render(JSON.parse(message.data));
  };
  source.onerror = () => {
    // EventSource reconnects by itself (the server asks for 2 s).
    connection.textContent = 'reconnecting…';
    connection.className = 'badge offline';
  };
}

connect();
