// The template editor's live preview and placeholder buttons.
import { api } from './api.js';
import { $, clear, el, setOptions, setStatus } from './dom.js';
import { extensionFor } from './format.js';
import { PREVIEW_DEBOUNCE_MS, state } from './state.js';
import { reportError } from './toast.js';

export function editorChanged() {
  if (state.editor) state.editor.dirty = true;
  schedulePreview(PREVIEW_DEBOUNCE_MS);
}

/** The phones the preview can be rendered for, the editor's vendor first. */
export function refreshPreviewDeviceOptions() {
  const select = $('template-preview-mac');
  if (document.activeElement === select) return;
  const vendor = $('template-vendor').value;
  const devices = [...state.devices].sort((a, b) => {
    const am = a.vendor === vendor ? 0 : 1;
    const bm = b.vendor === vendor ? 0 : 1;
    return am - bm || a.mac.localeCompare(b.mac);
  });
  const options = [['', 'a sample phone']];
  for (const device of devices) {
    const ext = extensionFor(device, 1);
    options.push([device.mac, `${device.mac} — ${device.vendor || '?'}${device.model ? ` ${device.model}` : ''}${ext ? ` (${ext})` : ''}`]);
  }
  setOptions(select, options);
}

export function schedulePreview(delay) {
  if (state.previewTimer) clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(runPreview, delay);
}

async function runPreview() {
  state.previewTimer = null;
  if (!state.editor) return;
  const sequence = ++state.previewSequence;
  const info = $('template-preview-state');
  const pre = $('template-preview');
  const problems = $('template-preview-problems');
  const vendor = $('template-vendor').value;
  if (!vendor) {
    setStatus(info, 'Choose a vendor to see the preview.', null);
    pre.textContent = '';
    clear(problems);
    return;
  }
  const body = { vendor, body: $('template-body').value };
  const mac = $('template-preview-mac').value;
  if (mac) body.mac = mac;
  setStatus(info, 'Rendering…', 'busy');
  pre.dataset.state = 'loading';
  try {
    const preview = await api('POST', 'api/templates/preview', body);
    if (sequence !== state.previewSequence) return; // a newer edit is on its way
    pre.textContent = preview.body || '';
    clear(problems);
    for (const problem of preview.problems || []) problems.appendChild(el('li', { text: problem }));
    setStatus(info, `${mac ? `for ${mac}` : 'for a sample phone'} · ${preview.contentType || ''} · passwords masked`, 'ok');
    pre.dataset.state = 'ok';
  } catch (error) {
    if (sequence !== state.previewSequence || error.unauthorized) return;
    pre.textContent = '';
    clear(problems);
    setStatus(info, `Preview failed: ${error.message}`, 'error');
    pre.dataset.state = 'error';
  }
}

function insertPlaceholder(name) {
  const area = $('template-body');
  const text = name.startsWith('{') ? name : `{${name}}`;
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  area.focus();
  area.setRangeText(text, start, end, 'end');
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

export async function loadPlaceholders() {
  try {
    const list = await api('GET', 'api/placeholders');
    state.placeholders = Array.isArray(list) ? list : [];
  } catch (error) {
    reportError(error, $('template-status'));
    return;
  }
  const box = $('placeholders');
  clear(box);
  for (const placeholder of state.placeholders) {
    box.appendChild(el('button', {
      type: 'button', text: placeholder.name, title: placeholder.description || '',
      'data-testid': 'placeholder', on: { click: () => insertPlaceholder(String(placeholder.name)) },
    }));
    box.appendChild(document.createTextNode(' '));
  }
}
