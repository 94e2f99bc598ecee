// Failures: recent failure summaries, filterable; a correlation id opens everything the gateway knows of that call.
import { h, replace, fmt, table, pager, notAvailable, errorBox, field } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';

const FILTERS = ['code', 'route', 'provider_family', 'deployment', 'tenant'];

export async function render(root, ctx) {
  const detail = location.pathname.match(/^\/ui\/failures\/(.+)$/);
  if (detail) return renderCall(root, decodeURIComponent(detail[1]));
  const inputs = Object.fromEntries(FILTERS.map(f => [f, h('input', { name: f, value: ctx.params.get(f) || '' })]));
  const form = h('form', { class: 'filters' }, FILTERS.map(f => field(f.replace('_', ' '), inputs[f])), h('button', { type: 'submit' }, 'Filter'));
  const out = h('div', {});
  root.append(h('h1', {}, 'Failures'), form, out);
  const load = async (page = 1) => {
    const q = Object.fromEntries(FILTERS.map(f => [f, inputs[f].value]));
    try {
      const r = await api('/ui/api/failures', { query: { ...q, page, page_size: 50 } });
      replace(out, table('Recent failures, newest first', [
        { label: 'Time', value: x => fmt.time(x.time) },
        { label: 'Code', value: x => h('code', {}, x.code) },
        { label: 'Status', num: true, value: x => x.status },
        { label: 'Route', value: x => x.route || '–' },
        { label: 'Provider', value: x => x.provider_family || '–' },
        { label: 'Deployment', value: x => x.deployment || '–' },
        { label: 'Tenant', value: x => x.tenant || '–' },
        { label: 'Correlation id', value: x => x.correlation_id ? h('a', { href: '/ui/failures/' + encodeURIComponent(x.correlation_id), 'data-link': true }, x.correlation_id) : '–' },
        { label: 'Message', value: x => h('span', { class: 'message' }, x.message || '') },
      ], r.data, 'No failures recorded.'), pager(r, load));
    } catch (e) {
      replace(out, isMissingEndpoint(e) ? notAvailable('Recent failures (GET /ui/api/failures)') : errorBox(e));
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(1); });
  await load();
  return null;
}

function section(title, value) {
  if (value === null || value === undefined) return null;
  return h('section', { class: 'panel' }, h('h2', {}, title), render1(value, title));
}

function render1(v, caption = '') {
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'object') {
      const cols = [...new Set(v.flatMap(o => Object.keys(o)))];
      return table(caption, cols.map(c => ({ label: c, value: o => plain(o[c]) })), v);
    }
    return h('p', {}, v.map(plain).join(', ') || '–');
  }
  if (v && typeof v === 'object') {
    return h('dl', { class: 'facts' }, Object.entries(v).flatMap(([k, x]) => [h('dt', {}, k), h('dd', {}, x && typeof x === 'object' ? render1(x) : plain(x))]));
  }
  return h('p', {}, plain(v));
}

function plain(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

async function renderCall(root, id) {
  root.append(h('p', {}, h('a', { href: '/ui/failures', 'data-link': true }, '← All failures')), h('h1', {}, 'Call ', h('code', {}, id)));
  try {
    const c = await api('/ui/api/calls/' + encodeURIComponent(id));
    const known = ['request', 'attempts', 'failure', 'spend', 'access_log'];
    root.append(section('Request', c.request), section('Attempts', c.attempts), section('Failure', c.failure),
      section('Spend', c.spend), section('Access log', c.access_log),
      section('More', Object.fromEntries(Object.entries(c).filter(([k]) => !known.includes(k)))));
  } catch (e) {
    if (isMissingEndpoint(e)) root.append(notAvailable('Call details (GET /ui/api/calls/{correlation_id})'));
    else if (e.code === 'call_not_found') root.append(h('p', { class: 'notice' }, 'The gateway knows nothing more of this call (it may have left the recent window).'));
    else root.append(errorBox(e));
  }
  return null;
}
