// Settings templates tab: the list of templates and the editor's form.
import { api, enc } from './api.js';
import { $, clear, el, setOptions, setStatus } from './dom.js';
import { formatDate, formatSize } from './format.js';
import { refreshAddPhoneTemplates, refreshDeviceTemplates, refreshDevices } from './phones.js';
import { mutated, state } from './state.js';
import { editorChanged, refreshPreviewDeviceOptions, schedulePreview } from './template-editor.js';
import { reportError, toast } from './toast.js';

export async function loadTemplates() {
  try {
    const templates = await api('GET', 'api/templates');
    state.templates = Array.isArray(templates) ? templates : [];
  } catch (error) {
    reportError(error, $('templates-status'));
    return;
  }
  renderTemplates();
  refreshDeviceTemplates();
  refreshAddPhoneTemplates();
  const names = state.templates.map((t) => t.name).sort((a, b) => a.localeCompare(b));
  setOptions($('uri-template'), [['', '— choose —'], ...names.map((n) => [n, n])]);
}

function renderTemplates() {
  const body = $('templates-body');
  clear(body);
  const sorted = [...state.templates].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.name.localeCompare(b.name));
  for (const template of sorted) {
    const edit = () => openEditor(template);
    const tr = el('tr', { 'data-template-id': String(template.id), 'data-testid': 'template-row', class: state.editor && state.editor.id === template.id ? 'selected' : '' },
      el('td', { class: 'template-name', 'data-testid': 'template-name-cell', text: template.name }),
      el('td', { text: template.vendor }),
      el('td', { text: template.isVendorDefault ? '✓ default' : '' }),
      el('td', { text: formatDate(template.updatedAt) }),
      el('td', { text: formatSize(new Blob([template.body || '']).size) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'small', text: 'Edit', 'data-testid': `template-edit-${template.id}`, on: { click: edit } })));
    tr.addEventListener('dblclick', edit);
    body.appendChild(tr);
  }
  $('templates-empty').hidden = state.templates.length > 0;
}

function openEditor(template) {
  if (state.editor && state.editor.dirty && !window.confirm('Discard the unsaved changes of the template being edited?')) return;
  state.editor = { id: template ? template.id : null, dirty: false };
  $('template-editor').hidden = false;
  $('template-editor-title').textContent = template ? `Edit template “${template.name}”` : 'New template';
  $('template-name').value = template ? template.name : '';
  $('template-vendor').value = template ? template.vendor : '';
  $('template-default').checked = !!(template && template.isVendorDefault);
  $('template-body').value = template ? template.body || '' : '';
  $('template-delete').hidden = !template;
  setStatus($('template-status'), '', null);
  renderTemplates();
  refreshPreviewDeviceOptions();
  schedulePreview(0);
  (template ? $('template-body') : $('template-name')).focus();
  $('template-editor').scrollIntoView({ block: 'nearest' });
}

function closeEditor(force) {
  if (!force && state.editor && state.editor.dirty && !window.confirm('Discard the unsaved changes?')) return;
  state.editor = null;
  $('template-editor').hidden = true;
  renderTemplates();
}

async function saveTemplate(event) {
  event.preventDefault();
  if (!state.editor) return;
  const status = $('template-status');
  const body = {
    name: $('template-name').value.trim(),
    vendor: $('template-vendor').value,
    body: $('template-body').value,
    isVendorDefault: $('template-default').checked,
  };
  setStatus(status, 'Saving…', 'busy');
  try {
    const saved = state.editor.id == null
      ? await api('POST', 'api/templates', body)
      : await api('PUT', `api/templates/${enc(state.editor.id)}`, body);
    mutated();
    state.editor = { id: saved.id, dirty: false };
    $('template-editor-title').textContent = `Edit template “${saved.name}”`;
    $('template-delete').hidden = false;
    setStatus(status, `Saved “${saved.name}”.`, 'ok');
    toast(`Template “${saved.name}” saved.`);
    await loadTemplates();
    refreshDevices();
  } catch (error) {
    reportError(error, status);
    if (error.field === 'name') $('template-name').focus();
  }
}

async function deleteTemplate() {
  if (!state.editor || state.editor.id == null) return;
  const name = $('template-name').value;
  if (!window.confirm(`Delete the template “${name}”? Phones using it fall back to their vendor's default.`)) return;
  try {
    await api('DELETE', `api/templates/${enc(state.editor.id)}`);
    mutated();
    toast(`Template “${name}” deleted.`);
    closeEditor(true);
    await loadTemplates();
    refreshDevices();
  } catch (error) {
    reportError(error, $('template-status'));
  }
}

async function loadExamples() {
  const status = $('templates-status');
  setStatus(status, 'Loading examples…', 'busy');
  try {
    const answer = await api('POST', 'api/templates/examples');
    const added = (answer && answer.added) || [];
    setStatus(status, added.length ? `Added: ${added.join(', ')}.` : 'The examples are already there.', 'ok');
    await loadTemplates();
  } catch (error) {
    reportError(error, status);
  }
}

export function initTemplates() {
  $('template-add').addEventListener('click', () => openEditor(null));
  $('template-load-examples').addEventListener('click', loadExamples);
  $('template-editor').addEventListener('submit', saveTemplate);
  $('template-delete').addEventListener('click', deleteTemplate);
  $('template-close').addEventListener('click', () => closeEditor(false));
  $('template-body').addEventListener('input', editorChanged);
  $('template-name').addEventListener('input', () => { if (state.editor) state.editor.dirty = true; });
  $('template-default').addEventListener('change', () => { if (state.editor) state.editor.dirty = true; });
  $('template-vendor').addEventListener('change', () => { editorChanged(); refreshPreviewDeviceOptions(); });
  $('template-preview-mac').addEventListener('change', () => schedulePreview(0));
}
