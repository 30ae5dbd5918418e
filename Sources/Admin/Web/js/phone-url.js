// A phone's private provisioning URL, with copy and rotate: for remote phones and vendor redirection services.
import { api } from './api.js';
import { el, setStatus } from './dom.js';
import { compactMAC, macPath } from './format.js';
import { reportError, toast } from './toast.js';

/** The URL block of a phone's detail panel; it loads the URL itself. */
export function buildURLBlock(row) {
  const c = compactMAC(row.mac);
  const field = el('input', { readonly: 'readonly', size: '52', spellcheck: 'false', 'aria-label': 'Private provisioning URL', 'data-testid': `device-url-${c}` });
  const status = el('span', { class: 'form-status', 'data-testid': `device-url-status-${c}` });
  const show = (answer) => { field.value = (answer && answer.url) || ''; };
  const load = async () => {
    try { show(await api('GET', `api/devices/${macPath(row.mac)}/url`)); } catch (error) { reportError(error, status); }
  };
  const copy = async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      setStatus(status, 'Copied.', 'ok');
    } catch (_) {
      // Without a secure context the clipboard API is missing; the text stays selected for Ctrl+C.
      setStatus(status, 'Selected: press Ctrl+C to copy.', 'ok');
    }
  };
  const rotate = async () => {
    if (!window.confirm(`Replace the private URL of ${row.mac}? The old one stops working at once.`)) return;
    try {
      show(await api('POST', `api/devices/${macPath(row.mac)}/url/rotate`));
      setStatus(status, 'New URL; the old one no longer works.', 'ok');
      toast(`The private URL of ${row.mac} was replaced.`);
    } catch (error) { reportError(error, status); }
  };
  load();
  return el('div', null,
    el('h4', { text: 'Private provisioning URL' }),
    el('p', { class: 'help', text: 'Opens this phone\'s files from anywhere: give it only to the phone or to its vendor\'s redirection service (Yealink RPS, Snom SRAPS, Fanvil FDPS, Grandstream GDMS). The phone appends its own file name.' }),
    el('div', { class: 'row-buttons' }, field,
      el('button', { type: 'button', class: 'small', text: 'Copy', 'data-testid': `device-url-copy-${c}`, on: { click: copy } }),
      el('button', { type: 'button', class: 'small danger', text: 'Replace', 'data-testid': `device-url-rotate-${c}`, on: { click: rotate } }),
      status));
}
