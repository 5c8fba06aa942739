// Builds elements from data as text only: nothing the pane shows is ever parsed as HTML.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'className') el.className = value;
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what the root shows, keeping keyboard focus on the control with the same key when it is still there. */
export function show(root, ...children) {
  const focused = document.activeElement?.dataset?.key;
  root.replaceChildren();
  append(root, children);
  root.setAttribute('aria-busy', 'false');
  const again = focused && root.querySelector(`[data-key="${CSS.escape(focused)}"]`);
  if (again) again.focus();
}
