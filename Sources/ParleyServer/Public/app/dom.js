// DOM helpers. Everything is built with createElement and text nodes: nothing is ever parsed as HTML.

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {Child | Child[]} Children
 * @typedef {Record<string, string | number | boolean | null | undefined | ((e: any) => void)>} Attrs
 */

/**
 * h('div', {class: 'x', 'data-testid': 'y', onclick: fn, hidden: true}, child…)
 * Attributes starting with `on` whose value is a function become listeners (`onclick` → click);
 * `true` gives an empty attribute, `false`/null/undefined skip it; `value` and `checked` set the
 * property. Children: nodes, strings (always text nodes), null/false (skipped), arrays of those.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (typeof v === 'function') {
      el.addEventListener(k.startsWith('on') ? k.slice(2) : k, v);
    } else if (v === false || v === null || v === undefined) {
      continue;
    } else if (k === 'value' || k === 'checked') {
      /** @type {any} */ (el)[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

/**
 * Appends children (the same kinds `h` takes) to a node.
 * @param {Node} parent
 * @param {Children[]} children
 */
export function append(parent, children) {
  for (const c of children.flat(2)) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/**
 * Removes all children.
 * @param {Node} node
 */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/**
 * Replaces a node's children.
 * @param {Node} node
 * @param {...Children} children
 */
export function replace(node, ...children) {
  clear(node);
  append(node, children);
}

/**
 * An inline SVG icon (24×24 viewBox, stroked path).
 * @param {string} d path data
 * @param {string} [cls]
 */
export function icon(d, cls = 'icon') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const path = document.createElementNS(ns, 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', cls);
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const yearFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Short local time for lists: the time today, the date this year, the full date before.
 * @param {string | null | undefined} isoString
 */
export function formatTime(isoString) {
  if (!isoString) return '';
  const d = new Date(isoString);
  if (isNaN(d.getTime())) return '';
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return timeFmt.format(d);
  if (d.getFullYear() === now.getFullYear()) return dayFmt.format(d);
  return yearFmt.format(d);
}

/**
 * Date and time for tooltips.
 * @param {string | null | undefined} isoString
 */
export function formatFull(isoString) {
  if (!isoString) return '';
  const d = new Date(isoString);
  return isNaN(d.getTime()) ? '' : fullFmt.format(d);
}

/**
 * @param {number} n bytes
 */
export function formatSize(n) {
  return n < 1e3 ? n + ' B' : n < 1e6 ? Math.round(n / 1e3) + ' KB' : (n / 1e6).toFixed(1) + ' MB';
}

/**
 * Whether keyboard focus is in something that takes text.
 * @param {EventTarget | null} t
 */
export function isTyping(t) {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
}

/** A random id for client_id / request ids. */
export function newId(prefix = 'd') {
  return prefix + '-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}
