// The REST API on the same origin. Signed in by the session cookie; unsafe methods carry the CSRF token.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/** An API problem (RFC 9457): the message is its detail, in words. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `The manager answered ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.problem = problem;
  }
}

export async function api(method, path, body) {
  const headers = {Accept: 'application/json, application/problem+json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    // same-origin referrer policy, so that the browser sends the real Origin (the manager checks it) rather than "null"
    response = await fetch(path, {method, headers, credentials: 'same-origin', referrerPolicy: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, {title: 'No answer', detail: `The manager did not answer (${e.message}). Is it running?`});
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : {title: response.statusText, detail: text || `The manager answered ${response.status}`};
    if (response.status === 401 && !path.startsWith('/auth/')) window.dispatchEvent(new CustomEvent('mipfed:signed-out'));
    throw new ApiError(response.status, problem);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
