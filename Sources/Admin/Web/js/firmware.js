// Firmware tab: upload, the hosted files, and per row: replace its file, remove it.
import { api, enc, queryString, upload } from './api.js';
import { $, clear, el, markLoaded, safeHref, setStatus } from './dom.js';
import { formatDate, formatSize } from './format.js';
import { state } from './state.js';
import { reportError, toast } from './toast.js';

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
  for (const firmware of list || []) {
    const sha = String(firmware.sha256 || '');
    const href = safeHref(firmware.url);
    const link = href
      ? el('a', { href, text: firmware.fileName || firmware.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': `fw-link-${firmware.id}` })
      : el('span', { text: firmware.fileName || String(firmware.url || ''), 'data-testid': `fw-link-${firmware.id}` });
    body.appendChild(el('tr', { 'data-testid': 'fw-row', 'data-id': String(firmware.id), 'data-file-name': String(firmware.fileName || '') },
      el('td', { text: firmware.vendor }),
      el('td', firmware.model ? { text: firmware.model } : { class: 'muted', text: 'all models' }),
      el('td', { text: firmware.version || '' }),
      el('td', { text: formatSize(firmware.size), title: `${firmware.size} bytes` }),
      el('td', { class: 'mono', text: sha.slice(0, 12), title: sha }),
      el('td', null, link, el('span', { class: 'sub mono', text: String(firmware.url || '') })),
      el('td', { class: 'wrap', text: firmware.notes || '' }),
      el('td', { text: formatDate(firmware.createdAt) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'small', text: 'Replace file', 'data-testid': `fw-replace-${firmware.id}`, on: { click: () => chooseReplacement(firmware) } }),
        el('button', { type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `fw-remove-${firmware.id}`, on: { click: () => removeFirmware(firmware) } }))));
  }
  $('fw-empty').hidden = (list || []).length > 0;
  markLoaded('firmware');
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
