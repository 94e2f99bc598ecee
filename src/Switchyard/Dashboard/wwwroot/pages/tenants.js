// Tenants and keys: limits against use and budget burn-down; keys paged and searched on the server; create (shown
// once, copy button), rotate and revoke with confirmation.
import { h, replace, fmt, table, pager, notAvailable, errorBox, confirmDialog, field } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';

const KEY_ADMINS = ['master', 'admin', 'tenant_admin'];

export async function render(root, ctx) {
  const id = ctx.identity;
  root.append(h('h1', {}, id.kind === 'usage_reader' ? `Usage of ${id.tenant || 'your tenant'}` : 'Tenants and keys'));
  const tenants = h('section', { 'aria-labelledby': 'tenants-h' }, h('h2', { id: 'tenants-h' }, 'Tenants'));
  root.append(tenants);
  await tenantSection(tenants, id);
  if (KEY_ADMINS.includes(id.kind)) {
    const keys = h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Keys'));
    root.append(keys);
    await keySection(keys, id);
  }
  return null;
}

function meter(label, used, max, f = v => fmt.num(v, 2)) {
  if (max === null || max === undefined) return h('span', {}, `${f(used)} (no limit)`);
  const ratio = max > 0 ? Math.min(1, (used || 0) / max) : 0;
  return h('span', { class: 'meter-wrap' },
    h('meter', { min: 0, max: max, value: used || 0, low: max * 0.7, high: max * 0.9, optimum: 0, 'aria-label': label }),
    ` ${f(used)} / ${f(max)} (${Math.round(ratio * 100)} %)`);
}

/** The linear projection, with how much of the period it rests on (early in a period it is a rough guess). */
function projection(p) {
  if (!p) return '–';
  const start = +new Date(p.period_start);
  const end = +new Date(p.period_end);
  const gone = end > start ? Math.min(1, Math.max(0, (Date.now() - start) / (end - start))) : 1;
  return h('span', {},
    h('span', { class: p.projected_over_budget ? 'badge bad' : null }, fmt.usd(p.projected_spend), p.projected_over_budget ? ' over budget' : ''),
    h('span', { class: 'muted small' }, p.extrapolated === false
      ? ' (spent so far: too early in the period to project)'
      : ` from ${gone < 0.01 ? '<1' : Math.round(gone * 100)} % of the period`));
}

async function tenantSection(section, id) {
  const search = h('input', { type: 'search', name: 'tenant-search', placeholder: 'tenant id or alias' });
  const out = h('div', {});
  const form = h('form', { class: 'filters', role: 'search' }, field('Search tenants', search), h('button', { type: 'submit' }, 'Search'));
  section.append(form, out);
  const load = async (page = 1) => {
    try {
      const r = await api('/ui/api/tenants', { query: { search: search.value, page, page_size: 25 } });
      replace(out, table('Tenants with limits and use', [
        { label: 'Tenant', value: t => h('span', {}, h('code', {}, t.tenant_id ?? ''), t.alias ? ` ${t.alias}` : '', t.blocked ? h('span', { class: 'badge bad' }, 'blocked') : null) },
        { label: 'Keys', num: true, value: t => fmt.num(t.keys) },
        { label: 'RPM', value: t => meter('requests per minute', t.rpm?.used, t.rpm?.limit) },
        { label: 'TPM', value: t => meter('tokens per minute', t.tpm?.used, t.tpm?.limit) },
        { label: 'Concurrency', value: t => meter('concurrent requests', t.concurrency?.used, t.concurrency?.limit) },
        { label: 'Budget (USD)', value: t => h('span', {}, meter('budget spent', t.budget?.spent, t.budget?.limit, fmt.usd),
          t.budget?.reserved ? h('span', { class: 'muted' }, ` +${fmt.usd(t.budget.reserved)} reserved`) : null,
          t.budget?.soft_limit != null ? h('span', { class: 'muted' }, ` · soft ${fmt.usd(t.budget.soft_limit)}`) : null) },
        { label: 'Projected to period end', num: true, value: t => projection(t.budget_projection) },
        { label: 'Period ends', value: t => fmt.time(t.budget_projection?.period_end ?? t.budget?.resets_at) },
      ], r.data, 'No tenants.'), pager(r, load));
    } catch (e) {
      if (!isMissingEndpoint(e)) return replace(out, errorBox(e));
      await fallbackTenants(out, id, e);
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(1); });
  await load();
}

/** Without GET /ui/api/tenants: the teams' budgets and limits from the admin API (no live use figures). */
async function fallbackTenants(out, id) {
  try {
    const teams = id.kind === 'master' || id.kind === 'admin'
      ? await api('/team/list')
      : id.tenant ? [await api('/team/info', { query: { team_id: id.tenant } }).then(r => r.team_info || r)] : [];
    replace(out, notAvailable('Live use against limits (GET /ui/api/tenants)'),
      table('Tenants with budgets', [
        { label: 'Tenant', value: t => h('code', {}, t.team_id) },
        { label: 'Budget', value: t => meter('budget spent', t.spend, t.max_budget) },
        { label: 'Budget period', value: t => t.budget_duration || '–' },
        { label: 'Resets', value: t => fmt.time(t.budget_reset_at) },
        { label: 'RPM limit', num: true, value: t => fmt.num(t.rpm_limit) },
        { label: 'TPM limit', num: true, value: t => fmt.num(t.tpm_limit) },
        { label: 'Concurrency limit', num: true, value: t => fmt.num(t.max_parallel_requests) },
        { label: 'Blocked', value: t => t.blocked ? 'yes' : 'no' },
      ], teams, 'No tenants.'));
  } catch (e) {
    replace(out, errorBox(e));
  }
}

async function keySection(section, id) {
  const created = h('div', { 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  const search = h('input', { type: 'search', name: 'key-search', placeholder: 'alias, name, id or tenant' });
  const out = h('div', {});
  const searchForm = h('form', { class: 'filters', role: 'search' }, field('Search keys', search), h('button', { type: 'submit' }, 'Search'));
  let page = 1;
  const load = async (p = page) => {
    page = p;
    try {
      const r = await api('/key/list', { query: { return_full_object: 'true', page, size: 50, search: search.value } });
      const rows = r.keys || [];
      replace(out, table('Keys', [
        { label: 'Alias', value: k => k.key_alias || h('span', { class: 'muted' }, '(none)') },
        { label: 'Key', value: k => h('code', {}, k.key_name) },
        { label: 'Id', value: k => h('code', { title: k.token }, k.token.slice(0, 12) + '…') },
        { label: 'Tenant', value: k => k.team_id || '–' },
        { label: 'Scopes', value: k => (k.scopes || []).join(', ') },
        { label: 'Expires', value: k => fmt.time(k.expires) },
        { label: 'State', value: k => h('span', { class: 'badge ' + (k.status === 'active' ? 'good' : 'warn') }, k.status + (k.grace_until ? ` (grace until ${fmt.time(k.grace_until)})` : '')) },
        { label: 'Spend', num: true, value: k => fmt.usd(k.spend) },
        { label: 'Actions', value: k => k.status === 'revoked' ? '' : h('span', { class: 'row-actions' },
          h('button', { type: 'button', 'aria-label': `Rotate key ${k.key_alias || k.key_name}`, onclick: () => rotate(k) }, 'Rotate'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.key_alias || k.key_name}`, onclick: () => revoke(k) }, 'Revoke')) },
      ], rows, 'No keys.'), pager({ page: r.current_page, page_size: 50, total: r.total_count }, load));
    } catch (e) {
      replace(out, errorBox(e));
    }
  };
  searchForm.addEventListener('submit', e => { e.preventDefault(); load(1); });

  const showOnce = (title, token) => replace(created, h('div', { class: 'notice ok', role: 'status' },
    h('p', {}, h('strong', {}, title), ' Copy it now: it is shown once and cannot be read again.'),
    h('div', { class: 'secret' }, h('code', { class: 'token', 'data-testid': 'new-token' }, token),
      h('button', { type: 'button', onclick: async ev => {
        try { await navigator.clipboard.writeText(token); ev.target.textContent = 'Copied'; } catch { ev.target.textContent = 'Select and copy by hand'; }
      } }, 'Copy'))));

  async function rotate(k) {
    if (!await confirmDialog(`Rotate ${k.key_alias || k.key_name}?`, h('p', {}, 'A new token replaces this key; the old one stops working now (its dashboard sessions end too).'), 'Rotate')) return;
    try {
      const r = await api('/key/regenerate', { method: 'POST', body: { key: k.token } });
      showOnce('Key rotated.', r.key);
      await load();
    } catch (e) { replace(status, errorBox(e)); }
  }

  async function revoke(k) {
    if (!await confirmDialog(`Revoke ${k.key_alias || k.key_name}?`, h('p', {}, 'Calls with this key fail from now on. This cannot be undone.'), 'Revoke')) return;
    try {
      await api('/key/delete', { method: 'POST', body: { keys: [k.token] } });
      replace(status, h('p', { class: 'notice ok', role: 'status' }, `Revoked ${k.key_alias || k.key_name}.`));
      await load();
    } catch (e) { replace(status, errorBox(e)); }
  }

  const alias = h('input', { name: 'key_alias', required: true });
  const team = h('input', { name: 'team_id', value: id.kind === 'tenant_admin' ? id.tenant : '', readonly: id.kind === 'tenant_admin' });
  const scopes = ['invoke', 'usage:read', 'health:read', 'admin'].map(sc => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'scopes', value: sc, checked: sc === 'invoke' }), ' ', sc));
  const duration = h('input', { name: 'duration', placeholder: 'e.g. 30d (empty: no expiry)' });
  const form = h('form', { class: 'create', 'aria-labelledby': 'create-h' },
    h('h3', { id: 'create-h' }, 'Create a key'),
    h('div', { class: 'row' }, field('Alias', alias), field('Tenant (team_id)', team), field('Expires after', duration)),
    h('fieldset', {}, h('legend', {}, 'Scopes'), scopes),
    h('button', { type: 'submit', class: 'primary' }, 'Create key'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = { key_alias: alias.value, scopes: [...form.querySelectorAll('input[name=scopes]:checked')].map(x => x.value) };
    if (team.value) body.team_id = team.value;
    if (duration.value) body.duration = duration.value;
    try {
      const r = await api('/key/generate', { method: 'POST', body });
      showOnce(`Key ${r.key_alias || ''} created.`, r.key);
      alias.value = '';
      await load(1);
    } catch (err) { replace(status, errorBox(err)); }
  });
  section.append(form, created, status, searchForm, out);
  await load(1);
}
