// The dashboard shell: sign-in, navigation limited to what the identity may see, and client-side routing (history API).
import { h, replace, field, errorBox } from './dom.js';
import { api, setCsrf, ApiError } from './api.js';
import * as overview from './pages/overview.js';
import * as routes from './pages/routes.js';
import * as tenants from './pages/tenants.js';
import * as spend from './pages/spend.js';
import * as failures from './pages/failures.js';
import * as config from './pages/config.js';
import * as audit from './pages/audit.js';

const ADMINS = ['master', 'admin'];
const TENANT_ADMINS = ['master', 'admin', 'tenant_admin'];
const EVERYONE = ['master', 'admin', 'tenant_admin', 'usage_reader'];

const PAGES = [
  { path: '/ui/', title: 'Overview', page: overview, who: TENANT_ADMINS },
  { path: '/ui/routes', title: 'Routes', page: routes, who: ADMINS },
  { path: '/ui/tenants', title: 'Tenants and keys', page: tenants, who: EVERYONE },
  { path: '/ui/spend', title: 'Spend', page: spend, who: EVERYONE },
  { path: '/ui/failures', title: 'Failures', page: failures, who: TENANT_ADMINS },
  { path: '/ui/config', title: 'Config', page: config, who: ADMINS },
  { path: '/ui/audit', title: 'Audit', page: audit, who: TENANT_ADMINS },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let identity = null;
let stop = null;

function visible() {
  return PAGES.filter(p => identity && p.who.includes(identity.kind));
}

function current() {
  const path = location.pathname.replace(/\/+$/, '') || '/ui';
  return visible().find(p => {
    const base = p.path.replace(/\/$/, '');
    return base === path || (base !== '/ui' && path.startsWith(base + '/'));
  }) || null;
}

export function go(path) {
  history.pushState(null, '', path);
  render();
}

function renderNav() {
  const active = current();
  replace(nav, h('ul', {}, visible().map(p => h('li', {},
    h('a', { href: p.path, 'data-link': true, 'aria-current': active === p ? 'page' : null }, p.title)))));
  replace(who, identity ? [
    h('span', { class: 'identity' }, identity.kind.replace('_', ' '), identity.tenant ? ` · tenant ${identity.tenant}` : '', identity.key_alias ? ` · ${identity.key_alias}` : ''),
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
  ] : []);
}

async function render() {
  if (stop) { stop(); stop = null; }
  renderNav();
  if (!identity) return renderSignIn();
  let page = current();
  if (!page) {
    const first = visible()[0];
    if (location.pathname.replace(/\/+$/, '') === '/ui' && first) {
      history.replaceState(null, '', first.path);
      renderNav();
      page = first;
    } else {
      replace(main, h('h1', {}, 'Not found'), h('p', {}, 'This page does not exist, or this sign-in may not see it.'));
      return;
    }
  }
  document.title = `${page.title} · Switchyard`;
  const root = h('div', { class: 'page', 'aria-busy': 'true' });
  replace(main, root);
  const ctx = { identity, go, params: new URLSearchParams(location.search) };
  try {
    stop = await page.page.render(root, ctx) || null;
  } catch (e) {
    root.append(errorBox(e));
  }
  root.setAttribute('aria-busy', 'false');
}

function renderSignIn(message) {
  document.title = 'Sign in · Switchyard';
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'assertive' }, message ? errorBox({ message }) : null);
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Switchyard'),
    h('p', { class: 'muted' }, 'Use the master key, an admin token or a usage:read token. The token is sent once and kept in no URL; the session lasts 8 hours.'),
    field('Token', input),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const answer = await api('/ui/session', { method: 'POST', body: { token: input.value } });
      input.value = '';
      accept(answer);
      render();
      main.focus();
    } catch (err) {
      replace(status, errorBox(err instanceof ApiError && err.code === 'insufficient_scope'
        ? { code: err.code, message: 'This token may only call models; sign in with an admin or usage:read token.' } : err));
    }
  });
  replace(main, form);
  input.focus();
}

function accept(answer) {
  identity = answer.identity;
  setCsrf(answer.csrf_token || null);
}

async function signOut() {
  try { await api('/ui/session', { method: 'DELETE' }); } catch { /* the cookie is cleared either way */ }
  identity = null;
  setCsrf(null);
  history.pushState(null, '', '/ui/');
  render();
}

document.addEventListener('click', e => {
  const a = e.target.closest && e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
window.addEventListener('sy-signed-out', () => {
  if (!identity) return;
  identity = null;
  setCsrf(null);
  if (stop) { stop(); stop = null; }
  renderNav();
  renderSignIn('The session ended (signed out, expired, or its key was revoked or rotated). Sign in again.');
});

(async () => {
  try {
    accept(await api('/ui/session'));
  } catch {
    identity = null;
  }
  render();
})();
