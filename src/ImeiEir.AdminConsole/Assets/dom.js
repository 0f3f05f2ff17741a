// Building the page from the API's answers. Every text the API sent goes in as a text node (textContent), never
// as HTML: a comment, a reason or an actor name can hold "<script>" and must show as those characters.

/** An element with attributes (set as properties of the element or, for data-* and aria-*, as attributes) and children (strings become text). */
export function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role') element.setAttribute(name, String(value));
    else if (name === 'class') element.className = value;
    else element[name] = value;
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
}

/** Appends children to an element as el() does: strings as text, nothing for null (Element.append would write "null"). */
export function put(element, ...children) {
  append(element, children);
  return element;
}

/** Removes every child of the element with the given id (or the element itself passed). */
export function clear(target) {
  const element = typeof target === 'string' ? document.getElementById(target) : target;
  element.replaceChildren();
  return element;
}

/** Shows a text in the element with the given id (a message line), or hides it when the text is empty. */
export function say(id, text) {
  const element = document.getElementById(id);
  element.textContent = text ?? '';
  element.hidden = !text;
}

/** The text to show for a value the API may leave out. */
export function shown(value) {
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

/** A table: header texts and rows of cells (strings or nodes). */
export function table(id, headers, rows) {
  return el('table', { id },
    el('thead', null, el('tr', null, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', null, rows.map(cells => el('tr', null, cells.map(c => el('td', null, c))))));
}

/** A definition list from [term, value] pairs (a value is a text or a node); each value's element gets the id given with it. */
export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.map(([term, value, id]) =>
    [el('dt', null, term), el('dd', { id }, value instanceof Node ? value : shown(value))]));
}
