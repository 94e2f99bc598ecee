// Calls to the gateway's admin API with the session cookie; state-changing calls carry the session's CSRF token.

let csrf = null;

export function setCsrf(token) { csrf = token; }

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** JSON from the gateway; throws ApiError with the failure summary's code and message. */
export async function api(path, { method = 'GET', body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const e = json && json.error ? json.error : {};
    if (res.status === 401 && path !== '/ui/session') window.dispatchEvent(new CustomEvent('sy-signed-out'));
    throw new ApiError(res.status, e.code || String(res.status), e.message || res.statusText || 'request failed', json);
  }
  return json;
}

/** Whether the failure means the endpoint is not served here (404 unknown_route, not a 404 for a thing it looked up). */
export function isMissingEndpoint(err) {
  return err instanceof ApiError && err.status === 404 && err.code === 'unknown_route';
}
