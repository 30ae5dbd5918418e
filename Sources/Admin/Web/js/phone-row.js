// One phone's row of the Phone settings table: its cells, inputs and buttons, updated in place.
import { templateOptions } from './choices.js';
import { clear, el, setOptions } from './dom.js';
import { compactMAC, extensionFor, formatAgo, formatDate, linesText } from './format.js';
import { statusBadge } from './status.js';

/** True while the admin is changing the row, so a poll does not overwrite the inputs. */
function isEditing(row) {
  const active = document.activeElement;
  const focused = active && row.tr.contains(active) && ['INPUT', 'SELECT', 'TEXTAREA'].includes(active.tagName);
  return row.dirty || focused;
}

export function setDirty(row, dirty) {
  row.dirty = dirty;
  row.tr.classList.toggle('editing', dirty);
  row.saveButton.classList.toggle('dirty', dirty);
}

/**
 * Makes the row. actions: save, unbind, keys, preview, reboot, remove, each called with the row;
 * they live with the table so this module needs nothing from it.
 */
export function createDeviceRow(device, actions) {
  const c = compactMAC(device.mac);
  const row = { mac: device.mac, device, signature: '', dirty: false, detailTr: null, detailMode: null };
  const tid = (what) => `device-${what}-${c}`;

  row.macText = el('span', { class: 'mono', 'data-testid': tid('mac') });
  row.ipText = el('span', { class: 'sub mono' });
  row.vendorText = el('span');
  row.modelText = el('span', { class: 'sub' });
  row.linesText = el('span', { 'data-testid': tid('lines') });
  row.line = el('input', { type: 'number', class: 'line-no', min: 1, max: 16, value: '1', title: 'Line (account) number', 'aria-label': 'Line', 'data-testid': tid('line') });
  row.ext = el('input', { class: 'ext', list: 'accounts-datalist', placeholder: 'extension', title: 'Extension for this line (pick or type)', 'aria-label': 'Extension', spellcheck: 'false', 'data-testid': tid('ext') });
  row.template = el('select', { class: 'tpl', title: 'Template', 'aria-label': 'Template', 'data-testid': tid('template') });
  row.statusCell = el('td', { 'data-testid': tid('status-cell') });
  row.seenText = el('span', { 'data-testid': tid('seen') });
  row.message = el('span', { class: 'form-status sub', 'data-testid': tid('message') });

  row.saveButton = el('button', { type: 'button', class: 'small primary', text: 'Save', title: 'Save extension and template', 'data-testid': tid('save'), on: { click: () => actions.save(row) } });
  const unbind = el('button', { type: 'button', class: 'small', text: 'Unbind', title: 'Remove the extension from the chosen line', 'data-testid': tid('unbind'), on: { click: () => actions.unbind(row) } });
  const keys = el('button', { type: 'button', class: 'small', text: 'Keys', title: 'BLF / speed-dial keys, vendor and model', 'data-testid': tid('keys'), on: { click: () => actions.keys(row) } });
  const preview = el('button', { type: 'button', class: 'small', text: 'Preview', title: 'The file this phone gets (passwords masked)', 'data-testid': tid('preview'), on: { click: () => actions.preview(row) } });
  const reboot = el('button', { type: 'button', class: 'small', text: 'Reboot', title: 'Make the phone reboot and fetch its file again', 'data-testid': tid('reboot'), on: { click: () => actions.reboot(row) } });
  const remove = el('button', { type: 'button', class: 'small danger', text: 'Remove', title: 'Forget this phone and its bindings', 'data-testid': tid('remove'), on: { click: () => actions.remove(row) } });

  row.line.addEventListener('input', () => {
    if (!row.extTouched) row.ext.value = extensionFor(row.device, row.line.value);
  });
  row.ext.addEventListener('input', () => { row.extTouched = true; setDirty(row, true); });
  row.template.addEventListener('change', () => setDirty(row, true));
  const onEnter = (event) => { if (event.key === 'Enter') { event.preventDefault(); actions.save(row); } };
  row.ext.addEventListener('keydown', onEnter);

  row.tr = el('tr', { 'data-mac': device.mac, 'data-testid': `device-row-${c}` },
    el('td', null, row.macText, row.ipText),
    el('td', null, row.vendorText, row.modelText),
    el('td', null, row.linesText),
    el('td', { class: 'mono' }, row.line, ' ', row.ext),
    el('td', null, row.template),
    row.statusCell,
    el('td', null, row.seenText),
    el('td', { class: 'actions' }, row.saveButton, unbind, keys, preview, reboot, remove, row.message));
  return row;
}

export function updateDeviceRow(row, device, force) {
  const signature = JSON.stringify(device);
  const changed = signature !== row.signature;
  row.device = device;
  row.signature = signature;
  if (changed || force) {
    row.macText.textContent = device.mac;
    row.ipText.textContent = device.lastIP || '';
    row.vendorText.textContent = device.vendor || '?';
    row.modelText.textContent = [device.model, device.firmware].filter(Boolean).join(' · ');
    row.linesText.textContent = linesText(device);
    clear(row.statusCell);
    row.statusCell.appendChild(statusBadge(device.status, device.statusReason));
    if (device.registered === true) row.statusCell.appendChild(el('span', { class: 'sub reg-yes', text: 'registered' }));
    else if (device.registered === false) row.statusCell.appendChild(el('span', { class: 'sub reg-no', text: 'not registered' }));
  }
  row.seenText.textContent = formatAgo(device.lastSeen);
  row.seenText.title = device.lastSeen ? `last seen ${formatDate(device.lastSeen)}; last config fetch ${formatDate(device.lastConfigFetch)}` : 'never seen';
  if (force || !isEditing(row)) {
    row.ext.value = extensionFor(device, row.line.value);
    row.extTouched = false;
    setOptions(row.template, templateOptions(device.vendor, device.template), device.template || '');
    setDirty(row, false);
  } else if (document.activeElement !== row.template) {
    // Keep the admin's choice, but offer templates added meanwhile.
    setOptions(row.template, templateOptions(device.vendor, row.template.value || device.template));
  }
}
