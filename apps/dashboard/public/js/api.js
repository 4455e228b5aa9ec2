// Fetch wrapper for the dashboard API: JSON in and out; every POST carries the session's CSRF token, which only
// `/api/config` hands out (the session cookie itself is HttpOnly).

/** An error answer of the API: `{ error: { code, message, argument } }`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    this.argument = body?.error?.argument;
  }
}

let csrfToken = '';

async function parse(res) {
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** GET `/api${path}`. */
export async function getJson(path) {
  return parse(
    await fetch(`/api${path}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' }),
  );
}

/** GET `/api/config` (`{ readOnly, auth, csrfToken }`) and keep its CSRF token for POSTs. */
export async function loadConfig() {
  const config = await getJson('/config');
  csrfToken = config.csrfToken ?? '';
  return config;
}

function post(path, body) {
  return fetch(`/api${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
  });
}

/** POST `/api${path}` with a JSON body; once more with a fresh token if the server no longer knows ours. */
export async function postJson(path, body = {}) {
  let res = await post(path, body);
  if (
    res.status === 403 &&
    (
      await res
        .clone()
        .json()
        .catch(() => null)
    )?.error?.code === 'CSRF_REJECTED'
  ) {
    // A refused POST changed nothing: after a dashboard restart (new token secret) it is safe to repeat.
    await loadConfig();
    res = await post(path, body);
  }
  return parse(res);
}

/** `/api` path segment for a queue or id (encoded). */
export function seg(value) {
  return encodeURIComponent(value);
}
