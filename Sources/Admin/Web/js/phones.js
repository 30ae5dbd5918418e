// Phone settings tab: the table of phones, kept current by polling, and the Add phone form.
import { api } from './api.js';
import { templateOptions } from './choices.js';
import { $, markLoaded, setOptions, setStatus } from './dom.js';
import { extensionFor, macPath } from './format.js';
import { toggleDetail } from './phone-details.js';
import { createDeviceRow, setDirty, updateDeviceRow } from './phone-row.js';
import { renderStatusTable } from './status.js';
import { mutated, state } from './state.js';
import { refreshPreviewDeviceOptions } from './template-editor.js';
import { reportError, toast } from './toast.js';

/** Device rows of the Phone settings table, by MAC. */
const deviceRows = new Map();

const rowActions = {
  save: saveDevice,
  unbind: unbindDevice,
  keys: (row) => toggleDetail(row, 'keys', replaceDevice),
  preview: (row) => toggleDetail(row, 'preview', replaceDevice),
  reboot: rebootDevice,
  remove: removeDevice,
};

export async function refreshDevices() {
  if (!state.loggedIn) return;
  const generation = state.mutationGeneration;
  let devices;
  try {
    devices = await api('GET', 'api/devices');
  } catch (error) {
    if (!error.unauthorized && error.status !== 0) setStatus($('add-phone-status'), `Could not list phones: ${error.message}`, 'error');
    return;
  }
  // A change made while this request was in flight wins over the older list.
  if (generation !== state.mutationGeneration || !Array.isArray(devices)) return;
  state.devices = devices;
  state.devicesLoaded = true;
  renderDevices();
  renderStatusTable();
  refreshPreviewDeviceOptions();
  markLoaded('phones');
}

function replaceDevice(device) {
  if (!device || !device.mac) return;
  const index = state.devices.findIndex((d) => d.mac === device.mac);
  if (index >= 0) state.devices[index] = device;
  else {
    state.devices.push(device);
    state.devices.sort((a, b) => a.mac.localeCompare(b.mac));
  }
  renderDevices();
  renderStatusTable();
}

function renderDevices() {
  const body = $('devices-body');
  const seen = new Set();
  let cursor = body.firstChild;
  for (const device of state.devices) {
    seen.add(device.mac);
    let row = deviceRows.get(device.mac);
    const isNew = !row;
    if (isNew) {
      row = createDeviceRow(device, rowActions);
      deviceRows.set(device.mac, row);
      updateDeviceRow(row, device, true);
    } else {
      updateDeviceRow(row, device, false);
    }
    // Rows are only inserted, never moved, so a focused input keeps its focus.
    if (cursor !== row.tr) body.insertBefore(row.tr, cursor);
    if (row.detailTr && row.tr.nextSibling !== row.detailTr) body.insertBefore(row.detailTr, row.tr.nextSibling);
    cursor = (row.detailTr || row.tr).nextSibling;
    if (isNew && body.dataset.initialised) {
      row.tr.classList.add('flash');
      setTimeout(() => row.tr.classList.remove('flash'), 1500);
    }
  }
  for (const [mac, row] of deviceRows) {
    if (seen.has(mac)) continue;
    row.tr.remove();
    if (row.detailTr) row.detailTr.remove();
    deviceRows.delete(mac);
  }
  body.dataset.initialised = '1';
  $('devices-empty').hidden = state.devices.length > 0;
}

/** Offers the current templates in every row (rows being edited keep their choice). */
export function refreshDeviceTemplates() {
  for (const row of deviceRows.values()) updateDeviceRow(row, row.device, false);
}

async function saveDevice(row) {
  const line = parseInt(row.line.value, 10);
  if (!Number.isInteger(line) || line < 1 || line > 16) {
    setStatus(row.message, 'The line must be a number from 1 to 16.', 'error');
    return;
  }
  const extension = row.ext.value.trim();
  const current = extensionFor(row.device, line);
  const template = row.template.value;
  const currentTemplate = row.device.template || '';
  const mac = macPath(row.mac);
  setStatus(row.message, 'Saving…', 'busy');
  row.saveButton.disabled = true;
  mutated();
  let device = null;
  try {
    if (extension !== current) {
      if (extension) device = await api('PUT', `api/devices/${mac}/lines/${line}`, { extension });
      else if (current) device = await api('DELETE', `api/devices/${mac}/lines/${line}`);
    }
    if (template !== currentTemplate) {
      device = await api('PATCH', `api/devices/${mac}`, { template: template || null });
    }
    if (!device) {
      setStatus(row.message, 'Nothing to save.', 'ok');
      setDirty(row, false);
      return;
    }
    mutated();
    setDirty(row, false);
    updateDeviceRow(row, device, true);
    replaceDevice(device);
    setStatus(row.message, 'Saved.', 'ok');
  } catch (error) {
    reportError(error, row.message);
  } finally {
    row.saveButton.disabled = false;
  }
}

async function unbindDevice(row) {
  const line = parseInt(row.line.value, 10) || 1;
  if (!extensionFor(row.device, line)) {
    setStatus(row.message, `Line ${line} is not bound.`, 'error');
    return;
  }
  setStatus(row.message, 'Unbinding…', 'busy');
  mutated();
  try {
    const device = await api('DELETE', `api/devices/${macPath(row.mac)}/lines/${line}`);
    mutated();
    if (device) { updateDeviceRow(row, device, true); replaceDevice(device); }
    setStatus(row.message, `Line ${line} unbound.`, 'ok');
  } catch (error) {
    reportError(error, row.message);
  }
}

async function rebootDevice(row) {
  if (!window.confirm(`Reboot the phone ${row.mac}? A call in progress on it is cut.`)) return;
  setStatus(row.message, 'Sending reboot…', 'busy');
  try {
    const answer = await api('POST', `api/devices/${macPath(row.mac)}/reboot`);
    const via = (answer && answer.via ? ` via ${answer.via}` : '') + (answer && answer.detail ? ` (${answer.detail})` : '');
    setStatus(row.message, `Reboot sent${via}.`, 'ok');
    toast(`Reboot sent to ${row.mac}${via}.`);
  } catch (error) {
    reportError(error, row.message);
  }
}

async function removeDevice(row) {
  if (!window.confirm(`Remove the phone ${row.mac} and its line bindings?`)) return;
  mutated();
  try {
    await api('DELETE', `api/devices/${macPath(row.mac)}`);
    mutated();
    state.devices = state.devices.filter((d) => d.mac !== row.mac);
    renderDevices();
    renderStatusTable();
    toast(`Removed ${row.mac}.`);
  } catch (error) {
    reportError(error, row.message);
  }
}

export function refreshAddPhoneTemplates() {
  setOptions($('add-phone-template'), templateOptions($('add-phone-vendor').value || null, null));
}

async function addPhone(event) {
  event.preventDefault();
  const status = $('add-phone-status');
  const body = { mac: $('add-phone-mac').value.trim() };
  const vendor = $('add-phone-vendor').value;
  const extension = $('add-phone-extension').value.trim();
  const template = $('add-phone-template').value;
  if (vendor) body.vendor = vendor;
  if (extension) body.extension = extension;
  if (template) body.template = template;
  setStatus(status, 'Adding…', 'busy');
  mutated();
  try {
    const device = await api('POST', 'api/devices', body);
    mutated();
    replaceDevice(device);
    setStatus(status, `Added ${device.mac}.`, 'ok');
    $('add-phone-form').reset();
    refreshAddPhoneTemplates();
    const row = deviceRows.get(device.mac);
    if (row) {
      row.tr.classList.add('flash');
      setTimeout(() => row.tr.classList.remove('flash'), 1500);
    }
  } catch (error) {
    reportError(error, status);
  }
}

export function initPhones() {
  $('add-phone-form').addEventListener('submit', addPhone);
  $('add-phone-vendor').addEventListener('change', refreshAddPhoneTemplates);
}
