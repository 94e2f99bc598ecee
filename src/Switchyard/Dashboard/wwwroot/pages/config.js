// Config: the live config (redacted by the gateway), its hash, the last reloads with their warnings, a reload button.
import { h, replace, fmt, table, notAvailable, errorBox, confirmDialog } from '../dom.js';
import { api, isMissingEndpoint } from '../api.js';

export async function render(root) {
  const status = h('div', { 'aria-live': 'polite' });
  const head = h('div', {});
  const reloads = h('section', { 'aria-labelledby': 'reloads-h' }, h('h2', { id: 'reloads-h' }, 'Last reloads'));
  const live = h('section', { 'aria-labelledby': 'live-h' }, h('h2', { id: 'live-h' }, 'Live config (secrets redacted)'));
  const reload = h('button', { type: 'button', class: 'primary', onclick: async () => {
    if (!await confirmDialog('Reload the config?', h('p', {}, 'The gateway reads its config file again; a file that fails validation changes nothing.'), 'Reload', false)) return;
    try {
      const r = await api('/config/reload', { method: 'POST' });
      replace(status, h('div', { class: 'notice ' + (r.status === 'reloaded' ? 'ok' : 'error'), role: 'status' },
        h('p', {}, `Reload: ${r.status}`), diagnostics('Errors', r.errors), diagnostics('Warnings', r.warnings),
        r.restart_required?.length ? h('p', {}, 'Needs a restart: ' + r.restart_required.join(', ')) : null));
    } catch (e) { replace(status, errorBox(e)); }
    await load();
  } }, 'Reload config');
  root.append(h('div', { class: 'page-head' }, h('h1', {}, 'Config'), reload), status, head, reloads, live);

  async function load() {
    try {
      const c = await api('/config');
      replace(head, h('dl', { class: 'facts' },
        h('dt', {}, 'Config hash'), h('dd', {}, h('code', {}, c.config_hash || '–')),
        h('dt', {}, 'File'), h('dd', {}, h('code', {}, c.source_path || '–')),
        h('dt', {}, 'File hash'), h('dd', {}, h('code', {}, c.source_file_hash || '–'))));
      replace(live, live.firstChild, h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Live config as JSON' }, JSON.stringify(c, null, 2)));
    } catch (e) { replace(head, errorBox(e)); }
    try {
      const r = await api('/ui/api/reloads');
      const rows = r.data || [];
      const diag = list => (list || []).map(w => typeof w === 'string' ? w : `${w.path ?? ''}${w.line ? ` (line ${w.line})` : ''}: ${w.message}`).join('; ') || '–';
      replace(reloads, reloads.firstChild, table('Last reloads', [
        { label: 'Time', value: x => fmt.time(x.time) },
        { label: 'Outcome', value: x => h('span', { class: 'badge ' + (x.outcome === 'reloaded' ? 'good' : 'bad') }, x.outcome ?? '') },
        { label: 'Trigger', value: x => x.trigger ?? '' },
        { label: 'Config hash', value: x => h('code', { title: x.config_hash || '' }, (x.config_hash || '').replace('sha256:', '').slice(0, 12)) },
        { label: 'Errors', value: x => diag(x.errors) },
        { label: 'Warnings', value: x => diag(x.warnings) },
        { label: 'Needs a restart', value: x => (x.restart_required || []).join(', ') || '–' },
      ], rows, 'No reloads yet.'));
    } catch (e) {
      replace(reloads, reloads.firstChild, isMissingEndpoint(e) ? notAvailable('The reload history (GET /ui/api/reloads)') : errorBox(e));
    }
  }
  await load();
  return null;
}

function diagnostics(title, list) {
  if (!list || list.length === 0) return null;
  return h('div', {}, h('h3', {}, title), h('ul', {}, list.map(d => h('li', {}, d.path ? h('code', {}, d.path) : null, d.line ? ` (line ${d.line})` : '', ' ', d.message || JSON.stringify(d)))));
}
