// The admin API: the bearer token, fetch with JSON, raw uploads with progress, and their errors.
import { $ } from './dom.js';

const TOKEN_KEY = 'autoprovision.adminToken';

/** The token requests carry; null while signed out. It lives in this module and sessionStorage only. */
let token = null;

/** Called with the server's message when it answers 401, so the page can ask for the token again. */
let onUnauthorized = () => {};

export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

export function setToken(value) { token = value; }

export function savedToken() { return sessionStorage.getItem(TOKEN_KEY); }

export function saveToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }

export function forgetToken() {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, message, field, unauthorized = false) {
    super(message);
    this.status = status;
    this.field = field || null;
    this.unauthorized = unauthorized;
  }
}

async function errorFrom(response) {
  let message = `${response.status} ${response.statusText || 'error'}`;
  let field = null;
  try {
    const text = await response.text();
    if (text) {
      try {
        const json = JSON.parse(text);
        if (json && typeof json.error === 'string') message = json.error;
        if (json && typeof json.field === 'string') field = json.field;
      } catch (_) {
        message = `${message}: ${text.slice(0, 200)}`;
      }
    }
  } catch (_) { /* body unreadable: keep the status line */ }
  return { message, field };
}

/** Calls the admin API. Relative paths ("api/devices") so the page also works behind a path prefix. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    setConnection(false);
    throw new ApiError(0, `Cannot reach the admin server (${error.message || error}).`, null);
  }
  setConnection(true);
  if (response.status === 401) {
    const { message } = await errorFrom(response);
    onUnauthorized(message);
    throw new ApiError(401, message, null, true);
  }
  if (!response.ok) {
    const { message, field } = await errorFrom(response);
    throw new ApiError(response.status, message, field);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (_) {
    throw new ApiError(response.status, 'The server answered something that is not JSON.', null);
  }
}

export const enc = encodeURIComponent;

/** name=value&... with %20 for spaces (not URLSearchParams' "+", which a server may keep literally). */
export function queryString(pairs) {
  return pairs.map(([name, value]) => `${enc(name)}=${enc(value)}`).join('&');
}

function setConnection(ok) {
  const node = $('conn-state');
  if (ok) { node.hidden = true; return; }
  node.textContent = 'server unreachable';
  node.hidden = false;
}

/** Raw-body upload with progress (fetch has no upload progress). Resolves with the parsed JSON. */
export function upload(method, path, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    progress.max = Math.max(file.size, 1);
    progress.value = 0;
    progress.hidden = false;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) {
        progress.max = event.total;
        progress.value = event.loaded;
      }
    };
    xhr.upload.onload = () => { progress.value = progress.max; };
    xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the connection was closed (is the file larger than 80 MB, or the server down?).', null));
    xhr.onabort = () => reject(new ApiError(0, 'The upload was aborted.', null));
    xhr.onload = () => {
      let json = null;
      try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (_) { json = null; }
      if (xhr.status === 401) {
        const message = (json && json.error) || 'missing or wrong bearer token';
        onUnauthorized(message);
        reject(new ApiError(401, message, null, true));
      } else if (xhr.status >= 200 && xhr.status < 300) {
        progress.value = progress.max;
        resolve(json);
      } else {
        const message = (json && typeof json.error === 'string') ? json.error : `${xhr.status} ${xhr.statusText}`;
        reject(new ApiError(xhr.status, message, json && json.field));
      }
    };
    xhr.send(file);
  });
}
