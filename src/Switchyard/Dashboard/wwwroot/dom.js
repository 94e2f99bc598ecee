// Small DOM helpers: elements are built with createElement and text nodes, never from HTML strings, and styled only
// through classes (the content security policy allows no inline style).

/** An element: h('a', {href: '/ui/', class: 'x', onclick: fn}, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element (attributes such as x, y, width are geometry, not style). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export const fmt = {
  num(v, digits = 0) {
    return v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  },
  usd(v) {
    if (v === null || v === undefined) return '–';
    const n = Number(v);
    return '$' + n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 4 : 2 });
  },
  ms(v) {
    return v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: 1 }) + ' ms';
  },
  pct(v) {
    return v === null || v === undefined ? '–' : (Number(v) * 100).toLocaleString('en-US', { maximumFractionDigits: 2 }) + ' %';
  },
  time(v) {
    if (!v) return '–';
    const d = new Date(v);
    return isNaN(d) ? String(v) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  },
};

/** A table: columns [{label, value: row => node|text, num: bool}], with a caption for screen readers. */
export function table(caption, columns, rows, empty = 'Nothing to show.') {
  if (!rows || rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map(r => h('tr', {}, columns.map(c => h('td', { class: c.num ? 'num' : null }, c.value(r))))))));
}

/** Pager for {page, page_size, total}; go(page) loads another page. */
export function pager(answer, go) {
  const page = answer.page || 1;
  const size = answer.page_size || 50;
  const total = answer.total ?? 0;
  const last = Math.max(1, Math.ceil(total / size));
  return h('nav', { class: 'pager', 'aria-label': 'Pages of results' },
    h('button', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '← Previous'),
    h('span', { 'aria-live': 'polite' }, `Page ${page} of ${last} · ${fmt.num(total)} in all`),
    h('button', { type: 'button', disabled: page >= last, onclick: () => go(page + 1) }, 'Next →'));
}

/** The state of a page whose data endpoint this gateway does not serve (yet). */
export function notAvailable(what) {
  return h('div', { class: 'notice', role: 'status' },
    h('strong', {}, 'Not available on this gateway. '),
    `${what} is not served by this gateway version.`);
}

export function errorBox(err) {
  return h('div', { class: 'notice error', role: 'alert' },
    h('strong', {}, err.code ? `${err.code}: ` : 'Error: '), err.message || String(err));
}

/** Asks for confirmation in a modal dialog (keyboard: Tab between buttons, Escape cancels). */
export function confirmDialog(title, body, action = 'Confirm', danger = true) {
  return new Promise(resolve => {
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, action);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const dlg = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title),
      h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'actions' }, cancel, ok));
    const done = v => { dlg.close(); dlg.remove(); resolve(v); };
    ok.addEventListener('click', () => done(true));
    cancel.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', e => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

/** A labelled form field. */
export function field(label, input) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2));
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export function card(label, value, extra) {
  return h('div', { class: 'card' }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), extra ? h('div', { class: 'card-extra' }, extra) : null);
}
