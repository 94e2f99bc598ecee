// Spend: aggregated on the server by model, tenant, alias or day; plot, table, CSV export; unpriced rows flagged.
import { h, replace, fmt, table, pager, notAvailable, errorBox, field } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';
import { barPlot, linePlot } from '../plot.js';

export async function render(root, ctx) {
  const p = ctx.params;
  const groupBy = h('select', { name: 'group_by' }, ['model', 'tenant', 'alias', 'day'].map(g => h('option', { value: g, selected: (p.get('group_by') || 'model') === g }, g)));
  const start = h('input', { type: 'date', name: 'start', value: p.get('start') || '' });
  const end = h('input', { type: 'date', name: 'end', value: p.get('end') || '' });
  const tenant = h('input', { name: 'tenant', value: p.get('tenant') || (ctx.identity.tenant || ''), readonly: ctx.identity.kind !== 'master' && ctx.identity.kind !== 'admin' });
  const csv = h('a', { class: 'button', download: 'switchyard-spend.csv' }, 'Export CSV');
  const form = h('form', { class: 'filters' }, field('Group by', groupBy), field('From', start), field('To', end), field('Tenant', tenant), h('button', { type: 'submit' }, 'Show'), csv);
  const out = h('div', {});
  root.append(h('h1', {}, 'Spend'), form, out);
  const query = page => ({ group_by: groupBy.value, start: start.value, end: end.value, tenant: tenant.value, page, page_size: 100 });
  const load = async (page = 1) => {
    const q = query(page);
    const u = new URLSearchParams(Object.entries({ ...q, page: undefined, page_size: undefined, format: 'csv' }).filter(([, v]) => v));
    csv.setAttribute('href', '/ui/api/spend?' + u.toString());
    try {
      const r = await api('/ui/api/spend', { query: q });
      const rows = r.data || [];
      const unpriced = rows.filter(x => x.unpriced);
      replace(out,
        unpriced.length ? h('p', { class: 'notice', role: 'status' }, `⚑ ${unpriced.length} row(s) include calls with no price configured: their spend is counted as $0.`) : null,
        groupBy.value === 'day'
          ? linePlot('Spend per day', [{ name: 'spend', cls: 's2', points: rows.map(x => ({ t: x.key, v: x.spend_usd })).sort((a, b) => String(a.t).localeCompare(String(b.t))) }], { unit: 'USD' })
          : barPlot(`Spend by ${groupBy.value}`, rows.map(x => ({ label: String(x.key ?? '(none)'), value: x.spend_usd, flag: x.unpriced }))),
        table(`Spend by ${groupBy.value}`, [
          { label: groupBy.value, value: x => h('span', {}, String(x.key ?? '(none)'), x.unpriced ? h('span', { class: 'badge warn', title: 'no price configured for some calls' }, 'unpriced') : null) },
          { label: 'Requests', num: true, value: x => fmt.num(x.requests) },
          { label: 'Prompt tokens', num: true, value: x => fmt.num(x.prompt_tokens) },
          { label: 'Completion tokens', num: true, value: x => fmt.num(x.completion_tokens) },
          { label: 'Spend', num: true, value: x => fmt.usd(x.spend_usd) },
          { label: 'Unpriced calls', num: true, value: x => fmt.num(x.unpriced) },
        ], rows, 'No spend in this period.'),
        pager(r, load));
    } catch (e) {
      replace(out, isMissingEndpoint(e) ? notAvailable('Aggregated spend (GET /ui/api/spend)') : errorBox(e));
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(1); });
  await load();
  return null;
}
