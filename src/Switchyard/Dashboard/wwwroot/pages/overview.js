// Overview: rate, errors by code, added latency, tokens and spend today; plots over the last hour or day; live every 5 s.
import { h, replace, fmt, card, notAvailable, errorBox } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';
import { linePlot } from '../plot.js';

export async function render(root, ctx) {
  let win = ctx.params.get('window') === '24h' ? '24h' : '1h';
  const status = h('p', { class: 'muted live', 'aria-live': 'off' });
  const body = h('div', {});
  const toggle = h('div', { class: 'toggle', role: 'group', 'aria-label': 'Time window' });
  const drawToggle = () => replace(toggle, ['1h', '24h'].map(w => h('button', {
    type: 'button', 'aria-pressed': String(w === win), onclick: () => { win = w; drawToggle(); load(); },
  }, w === '1h' ? 'Last hour' : 'Last day')));
  drawToggle();
  root.append(h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), toggle), status, body);

  let stopped = false;
  let timer = null;
  async function load() {
    try {
      const o = await api('/ui/api/overview', { query: { window: win } });
      if (stopped) return;
      draw(body, o);
      status.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')} · refreshes every 5 s`;
    } catch (e) {
      if (stopped) return;
      replace(body, isMissingEndpoint(e) ? notAvailable('The overview (GET /ui/api/overview)') : errorBox(e));
      if (isMissingEndpoint(e)) clearInterval(timer);
    }
  }
  await load();
  timer = setInterval(() => { if (!document.hidden) load(); }, 5000);
  return () => { stopped = true; clearInterval(timer); };
}

function draw(body, o) {
  const now = o.now || {};
  const today = o.today || {};
  const series = o.series || [];
  const codes = Object.entries(now.errors_by_code || {}).sort((a, b) => b[1] - a[1]);
  const pts = key => series.map(b => ({ t: b.t, v: b[key] }));
  const per = o.bucket_seconds || 60;
  replace(body,
    h('div', { class: 'cards' },
      card('Requests per second', fmt.num(now.rps, 2)),
      card('Error rate', fmt.pct(now.error_rate)),
      card('Added latency p50', fmt.ms(now.added_latency_p50_ms)),
      card('Added latency p99', fmt.ms(now.added_latency_p99_ms)),
      card('Requests today', fmt.num(today.requests)),
      card('Tokens today', fmt.num(today.tokens)),
      card('Spend today', fmt.usd(today.spend_usd))),
    h('section', { 'aria-labelledby': 'codes-h' },
      h('h2', { id: 'codes-h' }, 'Errors by code (now)'),
      codes.length === 0 ? h('p', { class: 'muted' }, 'No errors.') :
        h('ul', { class: 'chips' }, codes.map(([code, n]) => h('li', {}, h('a', { href: '/ui/failures?code=' + encodeURIComponent(code), 'data-link': true }, code), ' ', h('strong', {}, fmt.num(n)))))),
    h('div', { class: 'plots' },
      linePlot(`Requests per ${per >= 900 ? '15 minutes' : 'minute'}`, [{ name: 'requests', cls: 's1', points: pts('requests') }, { name: 'errors', cls: 's3', points: pts('errors') }]),
      linePlot('Added latency', [{ name: 'p50', cls: 's1', points: pts('added_latency_p50_ms') }, { name: 'p99', cls: 's2', points: pts('added_latency_p99_ms') }], { unit: 'ms' }),
      linePlot('Tokens', [{ name: 'tokens', cls: 's1', points: pts('tokens') }]),
      linePlot('Spend', [{ name: 'spend', cls: 's2', points: pts('spend_usd') }], { unit: 'USD' })));
}
