/**
 * The section of the Report and Vote pages: what every state of the collector looks like (none configured, being
 * read, unreachable, serving another pool, no open epoch), then the page itself.
 */
import { $, h, replace } from "../dom";
import { formatTime } from "../format";
import { collectorProblem, loadInfo, openEpoch } from "../members";
import { members, state } from "../state";
import { reportForm } from "./report";
import { ballotForm } from "./vote";

export function renderMembers() {
  const section = $("members");
  if (state.route === "claim") return;
  const heading = h("h2", { id: "members-heading" }, state.route === "report" ? "Report work" : "Vote");
  const config = state.config;
  if (state.fatal && !config) {
    replace(section, heading, h("div", { class: "alert", role: "alert" }, "The app cannot start. ", state.fatal));
    return;
  }
  if (!config) {
    replace(section, heading, h("p", { "aria-busy": "true" }, "Reading the configuration…"));
    return;
  }
  if (!config.collector) {
    replace(
      section,
      heading,
      h(
        "div",
        { class: "alert alert-warning", id: "no-collector" },
        h("p", {}, h("strong", {}, "No collector is configured. ")),
        h(
          "p",
          {},
          "Reporting work and voting need the DAO's collector, and this app's config.json names none. Claiming rewards works as usual.",
        ),
      ),
    );
    return;
  }
  if (members.infoError) {
    replace(
      section,
      heading,
      h(
        "div",
        { class: "alert", role: "alert", id: "collector-error" },
        h("p", {}, h("strong", {}, "The collector cannot be read. "), members.infoError),
      ),
      h("button", { type: "button", id: "collector-retry", onclick: () => void loadInfo(true) }, "Try again"),
    );
    return;
  }
  const info = members.info;
  if (!info) {
    replace(section, heading, h("p", { "aria-busy": "true" }, "Reading the collector…"));
    return;
  }
  const problem = collectorProblem();
  if (problem) {
    replace(
      section,
      heading,
      h(
        "div",
        { class: "alert", role: "alert", id: "collector-mismatch" },
        h("p", {}, h("strong", {}, "This collector is not for this pool: "), `${problem}. Nothing can be signed here.`),
      ),
    );
    return;
  }
  const epoch = openEpoch(info);
  if (!epoch) {
    const last = [...info.epochs].sort((a, b) => b.epoch - a.epoch)[0];
    replace(
      section,
      heading,
      h(
        "p",
        { id: "no-open-epoch" },
        "No epoch is open right now. ",
        last ? `Epoch ${last.epoch} ran from ${formatTime(last.start)} to ${formatTime(last.end)}.` : "",
      ),
    );
    return;
  }
  const intro = h(
    "p",
    { class: "muted", id: "epoch-open" },
    `Epoch ${epoch.epoch} is open until ${formatTime(epoch.end)}.`,
  );
  replace(section, heading, intro, ...(state.route === "report" ? reportForm() : ballotForm(epoch)));
}
