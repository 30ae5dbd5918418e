// Short messages in the corner, and the one way API errors are shown.
import { $, el, setStatus } from './dom.js';

export function toast(message, kind = 'ok') {
  const box = $('toasts');
  const item = el('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : 'status', 'data-testid': kind === 'error' ? 'toast-error' : 'toast' },
    el('span', { class: 'msg', text: message }),
    el('button', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', text: '×', on: { click: () => item.remove() } }));
  box.appendChild(item);
  while (box.children.length > 5) box.firstChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 12000 : 4000);
}

/** Shows an API error next to the form (statusNode) and as a toast. 401 is handled by api(). */
export function reportError(error, statusNode) {
  if (error && error.unauthorized) return;
  const message = error && error.message ? error.message : String(error);
  setStatus(statusNode, message, 'error');
  toast(message, 'error');
}
