/**
 * The status line of a report or ballot (a polite live region): signing, signed, sent, then accepted with the
 * collector's digest, refused with its reason, code and field, or rejected in the wallet.
 */
import { $, h } from "../dom";
import { members } from "../state";

const KIND = {
  signing: "pending",
  signed: "pending",
  sent: "pending",
  accepted: "confirmed",
  refused: "failed",
  rejected: "failed",
  failed: "failed",
} as const;

export function renderSubmission() {
  const box = $("submission");
  const s = members.submission;
  box.className = s ? `status status-${KIND[s.state]}` : "status";
  if (!s) {
    box.removeAttribute("data-state");
    box.replaceChildren();
    return;
  }
  box.setAttribute("data-state", s.state);
  const parts: (Node | string)[] = [h("span", { class: "submission-text" }, s.text)];
  if (s.state === "accepted") parts.push(" Digest: ", h("code", { class: "hash", id: "submission-digest" }, s.digest));
  if (s.state === "refused") {
    parts.push(
      h(
        "span",
        { class: "detail" },
        "Code ",
        h("code", { id: "refusal-code" }, s.code),
        s.field ? " · field " : "",
        s.field ? h("code", { id: "refusal-field" }, s.field) : "",
      ),
    );
  }
  box.replaceChildren(...parts);
}
