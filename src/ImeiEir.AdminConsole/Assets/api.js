// The registry's JSON API, same origin, with the signed-in token. The token lives in sessionStorage only: never in a
// URL, a cookie or localStorage, so it goes with the tab and is never sent anywhere but in the Authorization header.

const tokenKey = 'imeieir.console.token';
let onRefused = () => {};

export function token() { return sessionStorage.getItem(tokenKey); }
export function keepToken(value) { sessionStorage.setItem(tokenKey, value); }
export function forgetToken() { sessionStorage.removeItem(tokenKey); }

/** Who to call when the registry answers 401: the credential was revoked or never valid, so the console signs out. */
export function whenRefused(callback) { onRefused = callback; }

/** Raised after a 401 has signed the user out: the caller stops what it was doing. */
export class SignedOut extends Error {}

/** A refusal or failure the registry explained: its problem+json detail, else the status. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

/**
 * Calls the API and returns its JSON answer. 401 signs out (unless the caller handles it: allow401), any other
 * error raises ApiError with the API's own sentence. Never cached: the answers are someone's records.
 */
export async function call(method, path, { body, headers, allow401 = false, accept = [] } = {}) {
  const current = token();
  if (!current) {
    onRefused('Please sign in.');
    throw new SignedOut();
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      body,
      headers: { ...headers, Authorization: `Bearer ${current}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, `The registry could not be reached (${e.message}).`, null);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (response.status === 401 && !allow401) {
    const detail = json?.detail ? ` (${json.detail})` : '';
    onRefused(`The registry refused your credential: it was revoked or is no longer valid. You have been signed out${detail}.`);
    throw new SignedOut();
  }
  if (!response.ok && !accept.includes(response.status)) {
    throw new ApiError(response.status, json?.detail ?? json?.title ?? `${response.status} ${response.statusText}`, json);
  }
  return { status: response.status, json };
}

/** A random UUID (version 4) from the browser's CSPRNG; crypto.randomUUID needs a secure context, plain HTTP on a LAN is not one. */
export function newIdempotencyKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
