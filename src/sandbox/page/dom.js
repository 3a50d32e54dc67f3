// @ts-check
// Small DOM helpers of the page: finding its fixed elements, replacing a region's HTML, toasts.
import { ui } from './state.js';

/**
 * One of the page's fixed elements (index.html); a missing one is a bug of the page, so it throws.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @returns {T}
 */
export function $(selector) {
  const element = document.querySelector(selector);
  if (!(element instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
  return /** @type {T} */ (element);
}

/**
 * The closest element matching `selector` from an event's target, or null.
 * @param {EventTarget | null} target
 * @param {string} selector
 * @returns {HTMLElement | null}
 */
export function closest(target, selector) {
  if (!(target instanceof Element)) return null;
  const found = target.closest(selector);
  return found instanceof HTMLElement ? found : null;
}

/**
 * Re-renders a region only when its content changed, keeping the scroll position (or the bottom).
 * @param {HTMLElement} element
 * @param {keyof typeof ui.rendered} key
 * @param {string} html
 */
export function setRegion(element, key, html) {
  if (ui.rendered[key] === html) return false;
  const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  const top = element.scrollTop;
  element.innerHTML = html;
  ui.rendered[key] = html;
  element.scrollTop = atBottom ? element.scrollHeight : top;
  return true;
}

/** @param {string} text */
export function toast(text) {
  const box = document.createElement('div');
  box.className = 'toast';
  box.setAttribute('role', 'status');
  box.textContent = text;
  $('#toasts').append(box);
  setTimeout(() => box.remove(), 8000);
}
