// Text-only DOM helpers for the admin page.
//
// Security rule for every module of the page: every string that comes from the API is put into
// the page as text (textContent, createTextNode, input.value, option.text), never through a
// property or method that parses HTML, nor an attribute that could run code. The page has none.

export const $ = (id) => document.getElementById(id);

/**
 * Makes an element. props: class, text, dataset, on (event listeners), value/checked/disabled/
 * hidden/selected (properties), href (only http(s) or relative), anything else as an attribute.
 * Children: strings become text nodes; null/undefined/false are skipped.
 */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
      else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'title', 'type', 'min', 'max'].includes(key)) node[key] = value;
      else if (key === 'href') { const safe = safeHref(value); if (safe) node.setAttribute('href', safe); }
      else if (/^on/i.test(key)) throw new Error('inline event handlers are not allowed');
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendChildren(node, children);
  return node;
}

function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Only http(s) and same-site relative links are put into href. */
export function safeHref(url) {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
  return null;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

export function setStatus(node, message, kind) {
  if (!node) return;
  node.textContent = message || '';
  node.classList.remove('ok', 'error', 'busy');
  if (kind) node.classList.add(kind);
}

/** Replaces a select's options only when they differ, keeping its value when still offered. */
export function setOptions(select, options, wanted) {
  const key = JSON.stringify(options);
  const value = wanted !== undefined ? wanted : select.value;
  if (select.dataset.optionsKey !== key) {
    clear(select);
    for (const [optionValue, text] of options) select.appendChild(el('option', { value: optionValue, text }));
    select.dataset.optionsKey = key;
  }
  if (options.some(([optionValue]) => optionValue === value)) select.value = value;
}

/** Tells the browser test a tab's data has arrived. */
export function markLoaded(tab) { $(`panel-${tab}`).dataset.loaded = '1'; }
