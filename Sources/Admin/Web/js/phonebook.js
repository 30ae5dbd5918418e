// Phone book tab: external directory sources and the entries phones are served.
import { api, enc } from './api.js';
import { $, clear, el, markLoaded, setStatus } from './dom.js';
import { reportError } from './toast.js';

export async function loadPhonebook() {
  const status = $('pb-status');
  try {
    const [sources, entries] = await Promise.all([api('GET', 'api/phonebook/sources'), api('GET', 'api/phonebook/entries')]);
    const sourcesBody = $('pb-sources-body');
    clear(sourcesBody);
    for (const source of sources || []) {
      sourcesBody.appendChild(el('tr', { 'data-testid': 'pb-source-row', 'data-id': String(source.id) },
        el('td', { text: source.name || '' }),
        el('td', { class: 'mono', text: source.url }),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `pb-remove-${source.id}`,
          on: { click: () => removePhonebookSource(source) },
        }))));
    }
    $('pb-sources-empty').hidden = (sources || []).length > 0;
    const entriesBody = $('pb-entries-body');
    clear(entriesBody);
    for (const entry of entries || []) {
      entriesBody.appendChild(el('tr', { 'data-testid': 'pb-entry-row' },
        el('td', { text: entry.name }), el('td', { class: 'mono', text: entry.number })));
    }
    $('pb-entries-empty').hidden = (entries || []).length > 0;
    $('pb-count').textContent = `${(entries || []).length} entr${(entries || []).length === 1 ? 'y' : 'ies'}`;
    markLoaded('phonebook');
  } catch (error) {
    reportError(error, status);
  }
}

async function addPhonebookSource(event) {
  event.preventDefault();
  const status = $('pb-status');
  const body = { url: $('pb-url').value.trim() };
  const name = $('pb-name').value.trim();
  if (name) body.name = name;
  setStatus(status, 'Adding…', 'busy');
  try {
    await api('POST', 'api/phonebook/sources', body);
    setStatus(status, `Added ${body.url}. It is fetched in the background.`, 'ok');
    $('pb-form').reset();
    await loadPhonebook();
  } catch (error) {
    reportError(error, status);
  }
}

async function removePhonebookSource(source) {
  if (!window.confirm(`Remove the phonebook source ${source.url}?`)) return;
  try {
    await api('DELETE', `api/phonebook/sources/${enc(source.id)}`);
    setStatus($('pb-status'), 'Source removed.', 'ok');
    await loadPhonebook();
  } catch (error) {
    reportError(error, $('pb-status'));
  }
}

export function initPhonebook() {
  $('pb-form').addEventListener('submit', addPhonebookSource);
  $('pb-refresh').addEventListener('click', loadPhonebook);
}
