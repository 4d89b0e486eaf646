/**
 * The Vote page: the open epoch's feed (every work with its proof-of-value links, category, title, points so far
 * and voter count), a points box per work with the member's current ballot pre-filled, the member's own works and
 * their teams' works marked as not votable, and ONE signature for the whole ballot.
 */
import type { EpochInfo } from "../../../protocol/index.js";
import { h } from "../dom";
import { formatTime, shortAddress } from "../format";
import { cannotSign, loadFeed, ownWork, pointsId, submitBallot } from "../members";
import { members, state } from "../state";
import { clearError, described, fieldError } from "./fields";

/** Only http(s) links become anchors; anything else is shown as text. */
function link(url: string): Node {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer" }, url);
    }
  } catch {
    // not a URL
  }
  return h("code", {}, url);
}

function contributorText(contributor: string): Node {
  if (/^0x[0-9a-fA-F]{40}$/.test(contributor)) return h("code", { title: contributor }, shortAddress(contributor));
  return h("code", {}, contributor);
}

export function ballotForm(epoch: EpochInfo): Node[] {
  const feed = members.feed;
  if (members.feedError) {
    return [
      h("div", { class: "alert", role: "alert", id: "feed-error" }, `Could not read the works: ${members.feedError}`),
      h("button", { type: "button", id: "feed-retry", onclick: () => void loadFeed() }, "Try again"),
    ];
  }
  if (!feed || feed.epoch !== epoch.epoch) return [h("p", { "aria-busy": "true" }, "Reading the epoch's works…")];
  const blocked = cannotSign();
  const ballot = members.ballotOf === state.account ? members.ballot : undefined;
  const rows = feed.works.map((work) => {
    const own = ownWork(work);
    const id = pointsId(work.workId);
    return h(
      "tr",
      { "data-work-id": work.workId, "data-own": own },
      h(
        "td",
        { "data-label": "Work", class: "work" },
        h("strong", { class: "work-title" }, work.title),
        h(
          "span",
          { class: "detail" },
          h("span", { class: "badge" }, work.category),
          " ",
          h("code", {}, work.workId),
          " by ",
          contributorText(work.contributor),
        ),
      ),
      h(
        "td",
        { "data-label": "Proof of value", class: "pov" },
        h("ul", { class: "links" }, ...work.pov.map((url) => h("li", {}, link(url)))),
      ),
      h(
        "td",
        { "data-label": "Points so far", class: "score" },
        h("span", { class: "points" }, work.points),
        h("span", { class: "detail voters" }, `${work.voters} voter${work.voters === 1 ? "" : "s"}`),
      ),
      h(
        "td",
        { "data-label": "Your points", class: "your-points" },
        own
          ? h(
              "span",
              { class: "badge own" },
              own === "team" ? "Your team's work: not votable" : "Your work: not votable",
            )
          : h(
              "div",
              {},
              h("label", { for: id, class: "visually-hidden" }, `Your points for “${work.title}”`),
              h("input", {
                ...described(id, "points-help"),
                name: work.workId,
                type: "text",
                inputmode: "numeric",
                autocomplete: "off",
                placeholder: "—",
                class: "points-input",
                "data-work-id": work.workId,
                value: members.points.get(work.workId) ?? "",
                oninput: (event: Event) => {
                  members.points.set(work.workId, (event.target as HTMLInputElement).value);
                  clearError(id);
                },
              }),
              fieldError(id),
            ),
      ),
    );
  });
  return [
    h(
      "p",
      { id: "ballot-current" },
      ballot
        ? `Your current ballot was cast ${formatTime(ballot.castAt)} with ${ballot.points.size} vote${ballot.points.size === 1 ? "" : "s"}; a new one replaces it whole.`
        : state.account
          ? "You have not voted in this epoch yet."
          : "Connect a wallet to vote.",
    ),
    h(
      "form",
      {
        id: "ballot-form",
        class: "member-form",
        novalidate: true,
        tabindex: "-1",
        "aria-labelledby": "members-heading",
        onsubmit: (event: Event) => {
          event.preventDefault();
          void submitBallot();
        },
      },
      h(
        "p",
        { id: "points-help", class: "muted" },
        `Give each work 0 to ${epoch.maxPoints} points; leave a box empty not to vote on it. One signature sends the whole ballot.`,
      ),
      fieldError("ballot-form"),
      feed.works.length === 0
        ? h("p", { id: "no-works" }, "No work has been reported in this epoch yet.")
        : h(
            "table",
            { id: "feed" },
            h("caption", {}, `Works reported in epoch ${epoch.epoch}`),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, "Work"),
                h("th", { scope: "col" }, "Proof of value"),
                h("th", { scope: "col" }, "Points so far"),
                h("th", { scope: "col" }, "Your points"),
              ),
            ),
            h("tbody", {}, ...rows),
          ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "submit",
            id: "ballot-submit",
            class: "primary",
            disabled: blocked !== undefined || feed.works.length === 0,
            "aria-describedby": blocked ? "ballot-hint" : undefined,
          },
          "Sign and send the ballot",
        ),
        h(
          "button",
          { type: "button", id: "feed-refresh", disabled: members.loadingFeed, onclick: () => void loadFeed() },
          "Refresh",
        ),
        blocked && h("p", { id: "ballot-hint", class: "muted" }, blocked),
      ),
    ),
  ];
}
