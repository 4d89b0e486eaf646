/** Form fields with their validation message: `aria-invalid` and `aria-describedby` point at the message. */
import { h, type Attrs } from "../dom";
import { members } from "../state";

/** The message of field `id` (validation, or the collector's refusal naming that field), if any. */
export function fieldError(id: string): HTMLElement | undefined {
  const message = members.errors.get(id);
  return message ? h("p", { class: "field-error", id: `${id}-error` }, message) : undefined;
}

/** Attributes that tie field `id` to its message (and to its help text, if any). */
export function described(id: string, help?: string): Attrs {
  const invalid = members.errors.has(id);
  const by = [invalid ? `${id}-error` : undefined, help].filter(Boolean).join(" ");
  return { id, "aria-invalid": invalid ? "true" : undefined, "aria-describedby": by || undefined };
}

/** Once the member edits field `id`, its message goes (without redrawing the form). */
export function clearError(id: string) {
  if (!members.errors.delete(id)) return;
  document.getElementById(`${id}-error`)?.remove();
  const field = document.getElementById(id);
  field?.removeAttribute("aria-invalid");
  const rest = field?.getAttribute("aria-describedby")?.replace(`${id}-error`, "").trim();
  if (rest) field?.setAttribute("aria-describedby", rest);
  else field?.removeAttribute("aria-describedby");
}
