// Routes: alias -> group -> deployment with weights, canary split, breakers and recent figures; canary promote/rollback.
import { h, replace, fmt, table, notAvailable, errorBox, confirmDialog } from '../dom.js';
import { api, isMissingEndpoint, ApiError } from '../api.js';

export async function render(root) {
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', {});
  root.append(h('div', { class: 'page-head' }, h('h1', {}, 'Routes'),
    h('button', { type: 'button', onclick: () => load() }, 'Refresh')), status, body);

  async function load() {
    let config;
    try {
      config = await api('/config');
    } catch (e) {
      replace(body, errorBox(e));
      return;
    }
    // the dashboard's route figures (recent calls, latency, breaker timing, fallbacks) when this gateway serves them
    let live = null;
    let liveNote = null;
    try {
      live = await api('/ui/api/routes');
    } catch (e) {
      liveNote = isMissingEndpoint(e) ? notAvailable('Per-deployment recent figures and fallbacks (GET /ui/api/routes)') : errorBox(e);
    }
    const stats = deploymentStats(live);
    const aliases = Object.entries(config.router?.model_group_alias || {});
    const statuses = await Promise.all(aliases.map(([alias]) => api('/alias/status', { query: { alias } }).catch(() => null)));
    const groups = groupDeployments(config.deployments || []);
    replace(body,
      liveNote,
      h('section', { 'aria-labelledby': 'aliases-h' },
        h('h2', { id: 'aliases-h' }, 'Aliases'),
        aliases.length === 0 ? h('p', { class: 'muted' }, 'No aliases (router_settings.model_group_alias).') : null,
        aliases.map(([alias, group], i) => aliasCard(alias, group, statuses[i], groups, stats, live, load, status))),
      h('section', { 'aria-labelledby': 'groups-h' },
        h('h2', { id: 'groups-h' }, 'Model groups'),
        Object.entries(groups).map(([group, deps]) => h('div', { class: 'panel' },
          h('h3', {}, group),
          deploymentTable(group, deps, stats),
          fallbackTable(group, fallbacksOf(live, group))))));
  }
  await load();
  return null;
}

function groupDeployments(deployments) {
  const groups = {};
  for (const d of deployments) (groups[d.model_name] ||= []).push(d);
  return groups;
}

/** The live answer's deployments ({id, breaker, recent, ...}) by id. */
function deploymentStats(live) {
  const map = {};
  for (const a of live?.aliases || []) {
    for (const g of a.groups || []) {
      for (const d of g.deployments || []) map[d.id] = d;
    }
  }
  return map;
}

/** The calls of a name (alias or group) that a fallback group served, newest first. */
function fallbacksOf(live, name) {
  return (live?.aliases || []).find(a => a.alias === name)?.recent_fallbacks || [];
}

function fallbackTable(name, fallbacks) {
  if (!fallbacks.length) return null;
  return h('div', {}, h('h4', {}, 'Recent fallbacks'), table(`Recent fallbacks of ${name}`, [
    { label: 'Time', value: f => fmt.time(f.time) },
    { label: 'Primary', value: f => h('code', {}, f.primary ?? '') },
    { label: 'Served by', value: f => h('code', {}, f.served_by ?? '') },
    { label: 'Deployment', value: f => f.deployment ? h('code', {}, f.deployment) : '–' },
    { label: 'Status', num: true, value: f => f.status ?? '–' },
    { label: 'Attempts', num: true, value: f => fmt.num(f.attempts) },
    { label: 'Correlation id', value: f => f.correlation_id ? h('a', { href: '/ui/failures/' + encodeURIComponent(f.correlation_id), 'data-link': true }, f.correlation_id) : '–' },
  ], fallbacks.slice(0, 20)));
}

function breaker(d, stat) {
  const state = stat?.breaker?.state ?? d?.breaker ?? 'closed';
  const name = typeof state === 'string' ? state : 'closed';
  const wait = stat?.breaker?.half_open_in_ms ?? d?.retry_after_ms;
  return h('span', { class: 'badge ' + (name === 'open' ? 'bad' : name === 'half_open' ? 'warn' : 'good') },
    name.replace('_', '-'), name === 'open' && wait != null ? ` · half-open in ${Math.ceil(wait / 1000)} s` : '');
}

function deploymentTable(group, deps, stats, live) {
  return table(`Deployments of ${group}`, [
    { label: 'Deployment', value: d => h('code', {}, d.id) },
    { label: 'Model', value: d => d.qualified_model || d.model || '' },
    { label: 'Weight', num: true, value: d => fmt.num(d.weight ?? 1) },
    { label: 'Breaker', value: d => breaker(live?.[d.id], stats[d.id]) },
    { label: 'Recent attempts', num: true, value: d => fmt.num(stats[d.id]?.recent?.requests) },
    { label: 'Errors', num: true, value: d => fmt.num(stats[d.id]?.recent?.errors) },
    { label: 'Error rate', num: true, value: d => fmt.pct(stats[d.id]?.recent?.error_rate) },
    { label: 'p50', num: true, value: d => fmt.ms(stats[d.id]?.recent?.latency_p50_ms) },
    { label: 'p99', num: true, value: d => fmt.ms(stats[d.id]?.recent?.latency_p99_ms) },
  ], deps, 'No deployments.');
}

function aliasCard(alias, group, st, groups, stats, live, reload, status) {
  const sides = st?.sides || [{ role: 'primary', group, share_percent: 100, deployments: [] }];
  const canary = st?.canary;
  const sideBreakers = Object.fromEntries(sides.flatMap(s => (s.deployments || []).map(d => [d.id, d])));
  const fallbacks = fallbacksOf(live, alias);
  return h('article', { class: 'panel', 'aria-labelledby': `alias-${cssId(alias)}` },
    h('h3', { id: `alias-${cssId(alias)}` }, h('code', {}, alias), ' → ', h('code', {}, group),
      canary ? h('span', { class: 'badge warn' }, `canary ${canary.target} at ${canary.effective_percent}%`) : null),
    h('div', { class: 'split', role: 'img', 'aria-label': 'Traffic split: ' + sides.map(s => `${s.group} ${s.share_percent}%`).join(', ') },
      sides.filter(s => s.share_percent > 0).map(s => h('span', { class: `split-part ${s.role} w${Math.round(s.share_percent / 5) * 5}` }, `${s.group} ${s.share_percent}%`))),
    sides.map(s => h('div', { class: 'side' },
      h('h4', {}, `${s.role.replace('_', ' ')}: `, h('code', {}, s.group), ` · ${s.share_percent}% of traffic`),
      h('p', { class: 'muted' }, `Last ${Math.round((st?.window_seconds || 900) / 60)} min: ${fmt.num(s.requests)} calls, ${fmt.num(s.failures)} failed (${fmt.pct(s.error_rate)}), p50 ${fmt.ms(s.latency_ms?.p50)}, p95 ${fmt.ms(s.latency_ms?.p95)}`),
      deploymentTable(s.group, groups[s.group] || [], stats, sideBreakers))),
    canary?.rolled_back ? h('p', { class: 'notice' }, `Rolled back automatically at ${fmt.time(canary.rolled_back.at)}: ${canary.rolled_back.reason}`) : null,
    fallbackTable(alias, fallbacks),
    canary || st?.promotion ? h('div', { class: 'actions' },
      canary ? h('button', { type: 'button', class: 'primary', onclick: () => promote(alias, st, reload, status) }, `Promote ${canary.target}`) : null,
      h('button', { type: 'button', class: 'danger', onclick: () => rollback(alias, st, reload, status) }, canary ? 'Roll back canary' : 'Roll back promotion')) : null);
}

function cssId(v) { return v.replace(/[^A-Za-z0-9_-]/g, '-'); }

function evidence(st) {
  return h('div', {}, h('p', {}, 'The evidence (same figures as switchyard alias status):'),
    table('Canary evidence', [
      { label: 'Side', value: s => s.role },
      { label: 'Group', value: s => s.group },
      { label: 'Share', num: true, value: s => `${s.share_percent}%` },
      { label: 'Calls', num: true, value: s => fmt.num(s.requests) },
      { label: 'Failed', num: true, value: s => fmt.num(s.failures) },
      { label: 'Error rate', num: true, value: s => fmt.pct(s.error_rate) },
      { label: 'p50', num: true, value: s => fmt.ms(s.latency_ms?.p50) },
      { label: 'p95', num: true, value: s => fmt.ms(s.latency_ms?.p95) },
    ], st?.sides || []));
}

async function promote(alias, st, reload, status, force = false) {
  const body = h('div', {}, h('p', {}, force
    ? `Promote ${st.canary.target} for ${alias} although its evidence is against it?`
    : `Make ${st.canary.target} the primary of ${alias}? The old primary backs it up for the grace period (1 hour).`), evidence(st));
  if (!await confirmDialog(force ? 'Promote anyway?' : `Promote the canary of ${alias}?`, body, force ? 'Promote anyway' : 'Promote', force)) return;
  try {
    const r = await api('/alias/promote', { method: 'POST', body: force ? { alias, force: true } : { alias } });
    replace(status, h('p', { class: 'notice ok', role: 'status' }, `${alias}: ${r.status}. ${r.message || ''}`));
    await reload();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'canary_not_fit') {
      replace(status, h('div', { class: 'notice error', role: 'alert' }, h('p', {}, e.message),
        h('button', { type: 'button', class: 'danger', onclick: () => promote(alias, st, reload, status, true) }, 'Promote anyway…')));
      return;
    }
    replace(status, errorBox(e));
  }
}

async function rollback(alias, st, reload, status) {
  if (!await confirmDialog(`Roll back ${alias}?`, h('div', {}, h('p', {}, st?.canary
    ? `Send no more traffic to the canary ${st.canary.target}; ${alias} stays on ${st.primary}.`
    : `Restore the group ${alias} pointed to before its promotion.`), evidence(st)), 'Roll back')) return;
  try {
    const r = await api('/alias/rollback', { method: 'POST', body: { alias } });
    replace(status, h('p', { class: 'notice ok', role: 'status' }, `${alias}: ${r.status}. ${r.message || ''}`));
    await reload();
  } catch (e) {
    replace(status, errorBox(e));
  }
}
