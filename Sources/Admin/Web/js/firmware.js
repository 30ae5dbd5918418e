// Firmware tab: upload, the hosted files, and per row: edit its details, replace its file, remove it.
import { api, enc, queryString, upload } from './api.js';
import { $, clear, el, markLoaded, safeHref, setStatus } from './dom.js';
import { formatDate, formatSize } from './format.js';
import { state } from './state.js';
import { reportError, toast } from './toast.js';

/** Said wherever a firmware model is typed: it is the vendor's own name, which may hold spaces. */
const MODEL_HELP = 'The vendor\'s model name as the phone reports it; spaces are fine (Fanvil “X6U Pro”). Empty: all models of the vendor.';

export async function loadFirmware() {
  let list;
  try {
    list = await api('GET', 'api/firmware');
  } catch (error) {
    reportError(error, $('fw-status'));
    return;
  }
  const body = $('fw-body');
  clear(body);
  const editor = state.firmwareEditor;
  state.firmwareEditor = null;
  for (const firmware of list || []) {
    const sha = String(firmware.sha256 || '');
    const href = safeHref(firmware.url);
    const link = href
      ? el('a', { href, text: firmware.fileName || firmware.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': `fw-link-${firmware.id}` })
      : el('span', { text: firmware.fileName || String(firmware.url || ''), 'data-testid': `fw-link-${firmware.id}` });
    const tr = el('tr', { 'data-testid': 'fw-row', 'data-id': String(firmware.id), 'data-file-name': String(firmware.fileName || '') },
      el('td', { text: firmware.vendor }),
      el('td', firmware.model ? { text: firmware.model } : { class: 'muted', text: 'all models' }),
      el('td', { text: firmware.version || '' }),
      el('td', { text: formatSize(firmware.size), title: `${firmware.size} bytes` }),
      el('td', { class: 'mono', text: sha.slice(0, 12), title: sha }),
      el('td', null, link, el('span', { class: 'sub mono', text: String(firmware.url || '') })),
      el('td', { class: 'wrap', text: firmware.notes || '' }),
      el('td', { text: formatDate(firmware.createdAt) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'small', text: 'Edit', title: 'Change version, notes and model', 'data-testid': `fw-edit-${firmware.id}`, on: { click: () => toggleEditor(firmware, tr) } }),
        el('button', { type: 'button', class: 'small', text: 'Replace file', 'data-testid': `fw-replace-${firmware.id}`, on: { click: () => chooseReplacement(firmware) } }),
        el('button', { type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `fw-remove-${firmware.id}`, on: { click: () => removeFirmware(firmware) } })));
    body.appendChild(tr);
    // An edit form open while the list reloads (after an upload, say) stays open with what was typed.
    if (editor && editor.id === firmware.id) {
      body.appendChild(editor.tr);
      state.firmwareEditor = editor;
    }
  }
  $('fw-empty').hidden = (list || []).length > 0;
  markLoaded('firmware');
}

function closeEditor() {
  if (state.firmwareEditor) state.firmwareEditor.tr.remove();
  state.firmwareEditor = null;
}

/** Opens the edit form under a row, or closes it when it is open there; one form at a time. */
function toggleEditor(firmware, rowTr) {
  const open = state.firmwareEditor;
  closeEditor();
  if (open && open.id === firmware.id) return;
  const tr = el('tr', { class: 'detail', 'data-testid': 'fw-edit-row', 'data-id': String(firmware.id) },
    el('td', { colspan: '9' }, buildEditor(firmware)));
  state.firmwareEditor = { id: firmware.id, tr };
  rowTr.parentNode.insertBefore(tr, rowTr.nextSibling);
  tr.querySelector('input').focus();
}

function buildEditor(firmware) {
  const version = el('input', { size: '14', value: firmware.version || '', placeholder: '66.86.0.15', spellcheck: 'false', 'data-testid': 'fw-edit-version' });
  const model = el('input', { size: '22', value: firmware.model || '', placeholder: 'all models, or e.g. X6U Pro', title: MODEL_HELP, spellcheck: 'false', 'data-testid': 'fw-edit-model' });
  const notes = el('input', { size: '28', value: firmware.notes || '', 'data-testid': 'fw-edit-notes' });
  const status = el('span', { class: 'form-status', 'data-testid': 'fw-edit-status' });
  const save = el('button', { type: 'submit', class: 'small primary', text: 'Save', 'data-testid': 'fw-edit-save' });
  const inputs = { version, model, notes };
  const form = el('form', { class: 'inline-form', autocomplete: 'off', 'data-testid': 'fw-edit-form' },
    el('strong', { text: `Edit ${firmware.fileName || `row ${firmware.id}`}` }),
    el('label', null, 'Version ', version),
    el('label', { title: MODEL_HELP }, 'Model ', model),
    el('label', null, 'Notes ', notes),
    save,
    el('button', { type: 'button', class: 'small', text: 'Cancel', 'data-testid': 'fw-edit-cancel', on: { click: closeEditor } }),
    status,
    el('span', { class: 'muted small-text' }, `Model: ${MODEL_HELP}`));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveDetails(firmware, inputs, save, status);
  });
  return form;
}

/** Sends only the fields that differ from the row as it was listed. */
async function saveDetails(firmware, inputs, button, status) {
  const patch = {};
  for (const [name, input] of Object.entries(inputs)) {
    const value = input.value.trim();
    if (value !== String(firmware[name] || '')) patch[name] = value;
  }
  if (!Object.keys(patch).length) { setStatus(status, 'Nothing changed.', 'ok'); return; }
  setStatus(status, 'Saving…', 'busy');
  button.disabled = true;
  try {
    const saved = await api('PATCH', `api/firmware/${enc(firmware.id)}`, patch);
    const name = (saved && saved.fileName) || firmware.fileName;
    closeEditor();
    setStatus($('fw-status'), `Saved the details of ${name}.`, 'ok');
    toast(`Firmware ${name} saved.`);
    await loadFirmware();
  } catch (error) {
    if (error.status === 404) {
      // Removed meanwhile (by the CLI or another tab): say so where the list is, and show the list as it is.
      closeEditor();
      reportError(error, $('fw-status'));
      await loadFirmware();
      return;
    }
    reportError(error, status);
    const input = Object.hasOwn(inputs, error.field || '') ? inputs[error.field] : null;
    if (input) input.focus();
  } finally {
    button.disabled = false;
  }
}

async function uploadFirmware(event) {
  event.preventDefault();
  const status = $('fw-status');
  const file = $('fw-file').files[0];
  const vendor = $('fw-vendor').value;
  if (!file) { setStatus(status, 'Choose a file.', 'error'); return; }
  if (!vendor) { setStatus(status, 'Choose the vendor.', 'error'); return; }
  const params = [['vendor', vendor]];
  for (const [name, id] of [['model', 'fw-model'], ['version', 'fw-version'], ['notes', 'fw-notes']]) {
    const value = $(id).value.trim();
    if (value) params.push([name, value]);
  }
  params.push(['filename', file.name]);
  const query = queryString(params);
  const button = $('fw-upload');
  button.disabled = true;
  setStatus(status, `Uploading ${file.name} (${formatSize(file.size)})…`, 'busy');
  try {
    const firmware = await upload('POST', `api/firmware?${query}`, file, $('fw-progress'));
    setStatus(status, `Uploaded ${firmware ? firmware.fileName : file.name}.`, 'ok');
    toast(`Firmware ${firmware ? firmware.fileName : file.name} uploaded.`);
    $('fw-file').value = '';
    await loadFirmware();
  } catch (error) {
    reportError(error, status);
  } finally {
    button.disabled = false;
  }
}

function chooseReplacement(firmware) {
  state.replaceFirmwareId = firmware.id;
  const input = $('fw-replace-file');
  input.value = '';
  input.click();
}

async function replaceFirmware() {
  const input = $('fw-replace-file');
  const file = input.files[0];
  const id = state.replaceFirmwareId;
  if (!file || id == null) return;
  const status = $('fw-status');
  setStatus(status, `Replacing the file of row ${id} with ${file.name}…`, 'busy');
  try {
    const firmware = await upload('PUT', `api/firmware/${enc(id)}/file?${queryString([['filename', file.name]])}`, file, $('fw-progress'));
    setStatus(status, `Replaced with ${firmware ? firmware.fileName : file.name}.`, 'ok');
    await loadFirmware();
  } catch (error) {
    reportError(error, status);
  } finally {
    state.replaceFirmwareId = null;
    input.value = '';
  }
}

async function removeFirmware(firmware) {
  if (!window.confirm(`Remove the firmware ${firmware.fileName}? Phones stop being offered it.`)) return;
  try {
    await api('DELETE', `api/firmware/${enc(firmware.id)}`);
    setStatus($('fw-status'), `Removed ${firmware.fileName}.`, 'ok');
    await loadFirmware();
  } catch (error) {
    reportError(error, $('fw-status'));
  }
}

export function initFirmware() {
  $('fw-form').addEventListener('submit', uploadFirmware);
  $('fw-replace-file').addEventListener('change', replaceFirmware);
}
