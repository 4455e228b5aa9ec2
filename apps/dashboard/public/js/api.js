// Fetch wrapper for the dashboard API: JSON in and out, the CSRF cookie echoed on every POST.

/** An error answer of the API: `{ error: { code, message, argument } }`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    this.argument = body?.error?.argument;
  }
}

function csrfToken() {
  const match = /(?:^|;\s*)celers_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : '';
}

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

/** POST `/api${path}` with a JSON body. */
export async function postJson(path, body = {}) {
  return parse(
    await fetch(`/api${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': csrfToken(),
      },
      body: JSON.stringify(body),
    }),
  );
}

/** `/api` path segment for a queue or id (encoded). */
export function seg(value) {
  return encodeURIComponent(value);
}
