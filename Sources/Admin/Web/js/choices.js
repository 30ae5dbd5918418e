// What the vendor and template selects offer.
import { clear, el } from './dom.js';
import { state, VENDORS } from './state.js';

export function fillVendorSelect(select, emptyText) {
  const current = select.value;
  clear(select);
  select.appendChild(el('option', { value: '', text: emptyText }));
  for (const vendor of VENDORS) select.appendChild(el('option', { value: vendor, text: vendor }));
  select.value = current;
}

export function templateOptions(vendor, current) {
  const options = [['', 'vendor default']];
  const names = state.templates
    .filter((t) => !vendor || t.vendor === vendor)
    .map((t) => t.name)
    .sort((a, b) => a.localeCompare(b));
  for (const name of names) options.push([name, name]);
  if (current && !names.includes(current)) options.push([current, `${current} (other vendor)`]);
  return options;
}
