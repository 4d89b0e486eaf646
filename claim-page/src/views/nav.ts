/**
 * The app's pages (a hash router: `#/` Claim, `#/report` Report work, `#/vote` Vote): the navigation links with the
 * current page marked, and which sections are shown.
 */
import { $ } from "../dom";
import { state, type Route } from "../state";

export const ROUTES: { route: Route; hash: string; label: string; title: string }[] = [
  { route: "claim", hash: "#/", label: "Claim", title: "Claim Social Mining rewards" },
  { route: "report", hash: "#/report", label: "Report work", title: "Report work · Social Mining" },
  { route: "vote", hash: "#/vote", label: "Vote", title: "Vote · Social Mining" },
];

/** The page a location hash names: `#/report`, `#/vote`, anything else under `#/` is the Claim page. */
export function routeOf(hash: string): Route | undefined {
  if (!hash.startsWith("#/")) return undefined; // a fragment link (the skip link), not a page
  const path = hash.slice(2).split(/[?/]/)[0];
  return path === "report" ? "report" : path === "vote" ? "vote" : "claim";
}

export function renderNav() {
  for (const { route, title } of ROUTES) {
    const link = document.querySelector<HTMLAnchorElement>(`#nav a[data-route="${route}"]`);
    if (!link) continue;
    if (route === state.route) {
      link.setAttribute("aria-current", "page");
      document.title = title;
    } else link.removeAttribute("aria-current");
  }
  const claim = state.route === "claim";
  $("rewards").hidden = !claim;
  $("members").hidden = claim;
  $("submission").hidden = claim;
}
