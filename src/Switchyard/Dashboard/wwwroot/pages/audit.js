// Audit: every admin action (who, what, when, from where), newest first, paged and filtered on the server.
import { h, replace, fmt, table, pager, notAvailable, errorBox, field } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';

export async function render(root, ctx) {
  const inputs = {
    actor: h('input', { name: 'actor', value: ctx.params.get('actor') || '' }),
    action: h('input', { name: 'action', value: ctx.params.get('action') || '' }),
    target: h('input', { name: 'target', value: ctx.params.get('target') || '' }),
    since: h('input', { type: 'datetime-local', name: 'since' }),
    until: h('input', { type: 'datetime-local', name: 'until' }),
  };
  const form = h('form', { class: 'filters' }, Object.entries(inputs).map(([k, i]) => field(k, i)), h('button', { type: 'submit' }, 'Filter'));
  const out = h('div', {});
  root.append(h('h1', {}, 'Audit log'), form, out);
  const iso = v => (v ? new Date(v + 'Z').toISOString() : '');
  const load = async (page = 1) => {
    try {
      const r = await api('/audit/log', { query: { actor: inputs.actor.value, action: inputs.action.value, target: inputs.target.value, since: iso(inputs.since.value), until: iso(inputs.until.value), page, page_size: 50 } });
      replace(out, table('Audit log, newest first', [
        { label: 'Time', value: x => h('span', { class: 'nowrap' }, fmt.time(x.time)) },
        { label: 'Actor', value: x => x.actor ? h('span', {}, id(x.actor), x.actor_alias ? ` ${x.actor_alias}` : '') : h('span', { class: 'muted' }, '(not valid)') },
        { label: 'Tenant', value: x => x.tenant_id ?? '–' },
        { label: 'Action', value: x => h('code', {}, x.action) },
        { label: 'Target', value: x => x.target ? x.target.split(',').flatMap((t, i) => i ? [' ', id(t.trim())] : [id(t.trim())]) : '–' },
        { label: 'Outcome', value: x => h('span', { class: 'badge ' + (x.outcome === 'ok' ? 'good' : x.outcome === 'denied' ? 'warn' : 'bad') }, `${x.outcome ?? ''} ${x.status ?? ''}`) },
        { label: 'Error', value: x => x.error_code ? h('code', {}, x.error_code) : '–' },
        { label: 'Detail', value: x => h('span', { class: 'wrap' }, x.detail ?? '–') },
        { label: 'From', value: x => h('span', {}, x.client_address ?? '–',
          x.user_agent ? h('span', { class: 'muted small nowrap', title: x.user_agent }, x.user_agent.length > 24 ? x.user_agent.slice(0, 23) + '…' : x.user_agent) : null) },
      ], r.data, 'Nothing recorded.'), pager(r, load));
    } catch (e) {
      replace(out, isMissingEndpoint(e) ? notAvailable('The audit log (GET /audit/log)') : errorBox(e));
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(1); });
  await load();
  return null;
}

/** A key id (a 64-hex hash) shortened, the whole id in its title; other names as they are. */
function id(v) {
  return /^[0-9a-f]{64}$/.test(v) ? h('code', { title: v }, v.slice(0, 12) + '…') : h('code', {}, v);
}
