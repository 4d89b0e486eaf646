/**
 * An amount in the DOM: `<data value="1234.567890123456789012" title="…">1,234.5678 SMT</data>`. The text is
 * rounded for reading (format.ts), the `value` is the exact decimal, and the title shows the exact value and the
 * integer in the token's smallest unit on hover. Copying an amount puts its exact value on the clipboard.
 */
import { h } from "../dom";
import { money } from "../format";

/** The element showing `amount` (in the token's smallest unit). */
export function amountElement(amount: bigint, token: { decimals: number; symbol: string }): HTMLDataElement {
  const m = money(amount, token.decimals, token.symbol);
  return h("data", { value: m.exact, title: m.title }, m.text);
}

/** The amount element around `node`, if any. */
function amountAround(node: Node | null): HTMLDataElement | undefined {
  const element = node instanceof Element ? node : node?.parentElement;
  return element?.closest<HTMLDataElement>("data[value]") ?? undefined;
}

/**
 * From now on, copying a selection that lies within one amount (a double or triple click on it, or part of its
 * text) copies that amount's exact value, e.g. `1234.567890123456789012`, instead of the rounded text. A selection
 * across more than the amount is copied as the browser would.
 */
export function copyExactAmounts(doc: Document = document) {
  doc.addEventListener("copy", (event) => {
    const selection = doc.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount !== 1 || !event.clipboardData) return;
    const range = selection.getRangeAt(0);
    const amount = amountAround(range.startContainer);
    if (!amount) return;
    // A triple click may end the selection at the very start of the next cell: the text selected still counts.
    const text = selection.toString().trim();
    if (!amount.contains(range.endContainer) && !(text && (amount.textContent ?? "").includes(text))) return;
    event.clipboardData.setData("text/plain", amount.value);
    event.preventDefault();
  });
}
