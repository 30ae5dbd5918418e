// The panel under a phone's row: its keys, vendor and model, or the file it would get.
import { api, enc } from './api.js';
import { fillVendorSelect } from './choices.js';
import { clear, el, setStatus } from './dom.js';
import { compactMAC, macPath } from './format.js';
import { updateDeviceRow } from './phone-row.js';
import { buildURLBlock } from './phone-url.js';
import { mutated } from './state.js';
import { reportError } from './toast.js';

function closeDetail(row) {
  if (row.detailTr) row.detailTr.remove();
  row.detailTr = null;
  row.detailMode = null;
}

/**
 * Opens the row's keys or preview panel, or closes it when it is already open.
 * onSaved(device) puts a device changed in the panel into the table.
 */
export function toggleDetail(row, mode, onSaved) {
  if (row.detailMode === mode) { closeDetail(row); return; }
  closeDetail(row);
  const c = compactMAC(row.mac);
  const content = mode === 'keys' ? buildKeysPanel(row, onSaved) : buildPreviewPanel(row);
  row.detailTr = el('tr', { class: 'detail', 'data-testid': `device-detail-${c}` },
    el('td', { colspan: '8' }, content));
  row.detailMode = mode;
  row.tr.parentNode.insertBefore(row.detailTr, row.tr.nextSibling);
}

function buildKeysPanel(row, onSaved) {
  const c = compactMAC(row.mac);
  const status = el('span', { class: 'form-status', 'data-testid': `keys-status-${c}` });

  // Vendor and model of the device.
  const vendor = el('select', { 'data-testid': `device-vendor-${c}` });
  fillVendorSelect(vendor, '? (by MAC prefix)');
  vendor.value = row.device.vendor || '';
  const model = el('input', { size: '10', value: row.device.model || '', placeholder: 'model', 'data-testid': `device-model-${c}` });
  const deviceStatus = el('span', { class: 'form-status' });
  const saveDevice = el('button', {
    type: 'button', class: 'small primary', text: 'Save vendor & model', on: {
      click: async () => {
        const patch = {};
        if ((vendor.value || null) !== (row.device.vendor || null)) patch.vendor = vendor.value || null;
        if (model.value.trim() !== (row.device.model || '')) patch.model = model.value.trim();
        if (!Object.keys(patch).length) { setStatus(deviceStatus, 'Nothing changed.', 'ok'); return; }
        mutated();
        try {
          const device = await api('PATCH', `api/devices/${macPath(row.mac)}`, patch);
          mutated();
          updateDeviceRow(row, device, true);
          onSaved(device);
          setStatus(deviceStatus, 'Saved.', 'ok');
        } catch (error) { reportError(error, deviceStatus); }
      },
    },
  });

  // Keys.
  const keysBody = el('tbody', { 'data-testid': `keys-body-${c}` });
  const addKeyRow = (key) => {
    const type = el('select', { class: 'key-type', 'aria-label': 'Type' },
      el('option', { value: 'blf', text: 'BLF' }), el('option', { value: 'speed', text: 'Speed dial' }));
    type.value = key && key.type === 'speed' ? 'speed' : 'blf';
    const value = el('input', { class: 'key-value', value: (key && key.value) || '', placeholder: 'extension/number', 'aria-label': 'Value' });
    const label = el('input', { class: 'key-label', value: (key && key.label) || '', placeholder: 'label', 'aria-label': 'Label' });
    const tr = el('tr', null,
      el('td', { class: 'key-pos' }),
      el('td', null, type), el('td', null, value), el('td', null, label),
      el('td', null,
        el('button', { type: 'button', class: 'small', text: '↑', title: 'Move up', on: { click: () => { if (tr.previousSibling) keysBody.insertBefore(tr, tr.previousSibling); renumber(); } } }),
        el('button', { type: 'button', class: 'small', text: '↓', title: 'Move down', on: { click: () => { if (tr.nextSibling) keysBody.insertBefore(tr.nextSibling, tr); renumber(); } } }),
        el('button', { type: 'button', class: 'small danger', text: '✕', title: 'Remove key', on: { click: () => { tr.remove(); renumber(); } } })));
    tr.keyInputs = { type, value, label };
    keysBody.appendChild(tr);
    renumber();
    return tr;
  };
  const renumber = () => { Array.from(keysBody.children).forEach((tr, i) => { tr.firstChild.textContent = String(i + 1); }); };
  const load = async () => {
    setStatus(status, 'Loading…', 'busy');
    try {
      const keys = await api('GET', `api/devices/${macPath(row.mac)}/keys`);
      clear(keysBody);
      for (const key of keys || []) addKeyRow(key);
      setStatus(status, keys && keys.length ? '' : 'No keys yet.', 'ok');
    } catch (error) { reportError(error, status); }
  };
  const save = async () => {
    const keys = Array.from(keysBody.children).map((tr) => ({
      type: tr.keyInputs.type.value, value: tr.keyInputs.value.value.trim(), label: tr.keyInputs.label.value,
    }));
    setStatus(status, 'Saving…', 'busy');
    mutated();
    try {
      const saved = await api('PUT', `api/devices/${macPath(row.mac)}/keys`, keys);
      mutated();
      clear(keysBody);
      for (const key of saved || []) addKeyRow(key);
      setStatus(status, `Saved ${keys.length} key${keys.length === 1 ? '' : 's'}.`, 'ok');
    } catch (error) { reportError(error, status); }
  };
  load();

  return el('div', { class: 'detail-grid' },
    el('div', null,
      el('h4', { text: 'Device' }),
      el('div', { class: 'row-buttons' }, el('label', null, 'Vendor ', vendor), el('label', null, 'Model ', model)),
      el('div', { class: 'row-buttons' }, saveDevice, deviceStatus),
      buildURLBlock(row)),
    el('div', null,
      el('h4', { text: 'Programmable keys (BLF / speed dial), in the phone\'s order' }),
      el('table', { class: 'keys-table' },
        el('thead', null, el('tr', null, el('th', { text: '#' }), el('th', { text: 'Type' }), el('th', { text: 'Value' }), el('th', { text: 'Label' }), el('th'))),
        keysBody),
      el('div', { class: 'row-buttons' },
        el('button', { type: 'button', class: 'small', text: 'Add key', 'data-testid': `keys-add-${c}`, on: { click: () => addKeyRow(null).keyInputs.value.focus() } }),
        el('button', { type: 'button', class: 'small primary', text: 'Save keys', 'data-testid': `keys-save-${c}`, on: { click: save } }),
        el('button', { type: 'button', class: 'small', text: 'Reload', on: { click: load } }),
        el('button', { type: 'button', class: 'small', text: 'Close', on: { click: () => closeDetail(row) } }),
        status)));
}

function buildPreviewPanel(row) {
  const c = compactMAC(row.mac);
  const vendor = el('select', { 'data-testid': `preview-vendor-${c}` });
  fillVendorSelect(vendor, 'as recorded');
  const info = el('span', { class: 'form-status', 'data-testid': `preview-status-${c}` });
  const problems = el('ul', { class: 'problems' });
  const pre = el('pre', { class: 'preview', 'data-testid': `device-preview-body-${c}` });
  const load = async () => {
    setStatus(info, 'Loading…', 'busy');
    const query = vendor.value ? `?vendor=${enc(vendor.value)}` : '';
    try {
      const preview = await api('GET', `api/devices/${macPath(row.mac)}/preview${query}`);
      pre.textContent = preview.body || '';
      clear(problems);
      for (const problem of preview.problems || []) problems.appendChild(el('li', { text: problem }));
      setStatus(info, `${preview.vendor || ''} · ${preview.contentType || ''} · passwords masked`, 'ok');
    } catch (error) {
      pre.textContent = '';
      reportError(error, info);
    }
  };
  vendor.addEventListener('change', load);
  load();
  return el('div', null,
    el('div', { class: 'row-buttons' },
      el('strong', { text: `File for ${row.mac}` }),
      el('label', null, 'Vendor ', vendor),
      el('button', { type: 'button', class: 'small', text: 'Refresh', on: { click: load } }),
      el('button', { type: 'button', class: 'small', text: 'Close', on: { click: () => closeDetail(row) } }),
      info),
    problems, pre);
}
