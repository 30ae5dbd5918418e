// URI Settings tab: fixed paths on the provisioning port mapped to templates.
import { api, enc } from './api.js';
import { $, clear, el, markLoaded, setStatus } from './dom.js';
import { reportError } from './toast.js';

export async function loadURIMappings() {
  let mappings;
  try {
    mappings = await api('GET', 'api/uri-mappings');
  } catch (error) {
    reportError(error, $('uri-status'));
    return;
  }
  const body = $('uri-body');
  clear(body);
  for (const mapping of mappings || []) {
    body.appendChild(el('tr', { 'data-testid': 'uri-row', 'data-id': String(mapping.id) },
      el('td', { class: 'mono', text: mapping.path }),
      el('td', { text: mapping.template }),
      el('td', { class: 'actions' }, el('button', {
        type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `uri-remove-${mapping.id}`,
        on: { click: () => removeURIMapping(mapping) },
      }))));
  }
  $('uri-empty').hidden = (mappings || []).length > 0;
  markLoaded('uri');
}

async function addURIMapping(event) {
  event.preventDefault();
  const status = $('uri-status');
  const path = $('uri-path').value.trim();
  const template = $('uri-template').value;
  setStatus(status, 'Adding…', 'busy');
  try {
    await api('POST', 'api/uri-mappings', { path, template });
    setStatus(status, `Added ${path} → ${template}.`, 'ok');
    $('uri-path').value = '';
    await loadURIMappings();
  } catch (error) {
    reportError(error, status);
  }
}

async function removeURIMapping(mapping) {
  if (!window.confirm(`Remove the mapping ${mapping.path}?`)) return;
  try {
    await api('DELETE', `api/uri-mappings/${enc(mapping.id)}`);
    setStatus($('uri-status'), `Removed ${mapping.path}.`, 'ok');
    await loadURIMappings();
  } catch (error) {
    reportError(error, $('uri-status'));
  }
}

export function initURI() {
  $('uri-form').addEventListener('submit', addURIMapping);
}
