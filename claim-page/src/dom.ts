/** The page's DOM helpers. Strings always become text nodes, never HTML. */

export type Child = Node | string | undefined | false;
export type Attrs = Record<string, string | boolean | undefined | ((e: Event) => void)>;

/** The element with id `id` (present in index.html). */
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Tiny element builder: attributes, then children (strings become text nodes, never HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Replaces the children of `container`, keeping keyboard focus on the element with the same id. */
export function replace(container: HTMLElement, ...children: Child[]) {
  const focused = document.activeElement?.id;
  container.replaceChildren(...children.filter((c): c is Node | string => c !== undefined && c !== false));
  if (focused && !document.activeElement?.id) document.getElementById(focused)?.focus();
}
