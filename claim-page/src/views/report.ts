/**
 * The Report work page: a form for the open epoch (work id generated for the member, category, title, 1 to 8
 * proof-of-value links, the member or one of their teams as contributor), checked field by field before anything
 * is signed.
 */
import { REPORT_LIMITS } from "../../../protocol/index.js";
import { h } from "../dom";
import { shortAddress } from "../format";
import { cannotSign, ensureDraft, submitReport } from "../members";
import { members, render, state } from "../state";
import { clearError, described, fieldError } from "./fields";

export function reportForm(): Node[] {
  const draft = ensureDraft()!;
  const blocked = cannotSign();
  const config = state.config!;
  const edit = (id: string, set: (value: string) => void) => (event: Event) => {
    set((event.target as HTMLInputElement | HTMLSelectElement).value);
    clearError(id);
  };

  const links = draft.pov.map((link, i) =>
    h(
      "div",
      { class: "field link-row" },
      h("label", { for: `report-pov-${i}` }, `Link ${i + 1}`),
      h(
        "div",
        { class: "row" },
        h("input", {
          ...described(`report-pov-${i}`),
          name: `pov-${i}`,
          type: "url",
          inputmode: "url",
          autocomplete: "off",
          spellcheck: "false",
          placeholder: "https://…",
          maxlength: String(REPORT_LIMITS.povLink),
          value: link,
          oninput: edit(`report-pov-${i}`, (v) => (draft.pov[i] = v)),
        }),
        draft.pov.length > 1 &&
          h(
            "button",
            {
              type: "button",
              class: "remove-link",
              "aria-label": `Remove link ${i + 1}`,
              onclick: () => {
                draft.pov.splice(i, 1);
                members.errors.clear();
                render("members");
                document.getElementById(`report-pov-${Math.min(i, draft.pov.length - 1)}`)?.focus();
              },
            },
            "Remove",
          ),
      ),
      fieldError(`report-pov-${i}`),
    ),
  );

  const contributorChoice = (value: "me" | "team", label: string) =>
    h(
      "label",
      { class: "choice" },
      h("input", {
        type: "radio",
        name: "contributor",
        id: `report-contributor-${value}`,
        value,
        checked: draft.contributor === value,
        onchange: () => {
          draft.contributor = value;
          clearError("report-contributor");
          render("members");
        },
      }),
      label,
    );

  const form = h(
    "form",
    {
      id: "report-form",
      class: "member-form",
      novalidate: true,
      "aria-labelledby": "members-heading",
      onsubmit: (event: Event) => {
        event.preventDefault();
        void submitReport();
      },
    },
    fieldError("report-form"),
    h(
      "div",
      { class: "field" },
      h("label", { for: "report-work-id" }, "Work id"),
      h("input", {
        ...described("report-work-id", "report-work-id-help"),
        name: "workId",
        readonly: true,
        value: draft.workId,
        class: "mono",
      }),
      h(
        "small",
        { id: "report-work-id-help" },
        "Generated for you: voters and the epoch's results name the work by it.",
      ),
      fieldError("report-work-id"),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "report-category" }, "Category"),
      h(
        "select",
        {
          ...described("report-category"),
          name: "category",
          onchange: edit("report-category", (v) => (draft.category = v)),
        },
        ...config.categories.map((c) => h("option", { value: c, selected: c === draft.category }, c)),
      ),
      fieldError("report-category"),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "report-title" }, "Title"),
      h("input", {
        ...described("report-title", "report-title-help"),
        name: "title",
        type: "text",
        autocomplete: "off",
        maxlength: String(REPORT_LIMITS.title),
        value: draft.title,
        oninput: edit("report-title", (v) => (draft.title = v)),
      }),
      h("small", { id: "report-title-help" }, `What you did, in at most ${REPORT_LIMITS.title} characters.`),
      fieldError("report-title"),
    ),
    h(
      "fieldset",
      {
        id: "report-pov",
        tabindex: "-1",
        "aria-describedby": members.errors.has("report-pov") ? "report-pov-error" : "report-pov-help",
      },
      h("legend", {}, "Proof of value"),
      h(
        "small",
        { id: "report-pov-help" },
        `1 to ${REPORT_LIMITS.povLinks} links (http or https) where voters can see the work.`,
      ),
      ...links,
      fieldError("report-pov"),
      h(
        "button",
        {
          type: "button",
          id: "report-add-link",
          disabled: draft.pov.length >= REPORT_LIMITS.povLinks,
          onclick: () => {
            draft.pov.push("");
            render("members");
            document.getElementById(`report-pov-${draft.pov.length - 1}`)?.focus();
          },
        },
        "Add a link",
      ),
    ),
    h(
      "fieldset",
      { id: "report-contributor", tabindex: "-1" },
      h("legend", {}, "Contributor"),
      contributorChoice("me", state.account ? `Me (${shortAddress(state.account)})` : "Me (the connected account)"),
      contributorChoice("team", "A team I am in"),
      draft.contributor === "team" &&
        h(
          "div",
          { class: "field" },
          h("label", { for: "report-team" }, "Team name"),
          h(
            "div",
            { class: "row prefixed" },
            h("span", { class: "prefix", "aria-hidden": "true" }, "team:"),
            h("input", {
              ...described("report-team", "report-team-help"),
              name: "team",
              type: "text",
              autocomplete: "off",
              spellcheck: "false",
              value: draft.team,
              oninput: edit("report-team", (v) => (draft.team = v)),
            }),
          ),
          h(
            "small",
            { id: "report-team-help" },
            "The team's share of the reward is split among its members as the DAO set it.",
          ),
        ),
      fieldError("report-team"),
      fieldError("report-contributor"),
    ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "submit",
          id: "report-submit",
          class: "primary",
          disabled: blocked !== undefined,
          "aria-describedby": blocked ? "report-hint" : undefined,
        },
        `Sign and send the report`,
      ),
      blocked && h("p", { id: "report-hint", class: "muted" }, blocked),
    ),
  );
  return [form];
}
