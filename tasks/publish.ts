/**
 * `sm:publish --pool ADDR --publish-root DIR [--artifacts DIR[,DIR…] | --artifacts-root DIR] [--dry-run]`: lays out
 * the artifacts under a publish root as the chain says: `epochs/epoch-N/` for each epoch's live root, `retired/` for
 * vetoed versions; a published epoch that was vetoed moves to `retired/`. Reads the chain only; never deletes or
 * overwrites.
 */
import { selectArtifacts } from "./lib/artifacts.js";
import { poolTask } from "./lib/connect.js";
import { applyPublish, describePublish, planPublish } from "./lib/publish.js";
import { parseTextOption } from "./lib/options.js";

interface Args {
  pool?: string;
  publishRoot?: string;
  artifacts?: string;
  artifactsRoot?: string;
  dryRun?: boolean;
}

export default poolTask<Args, { publishRoot: string; sources: ReturnType<typeof selectArtifacts>["sources"] }>({
  parse: (args) => ({
    publishRoot: parseTextOption("publish-root", args.publishRoot),
    sources:
      args.artifacts || args.artifactsRoot
        ? selectArtifacts({
            artifacts: args.artifacts || undefined,
            artifactsRoot: args.artifactsRoot || undefined,
            versions: true,
          }).sources
        : [],
  }),
  run: async ({ pool, networkName }, { publishRoot, sources }, args, env) => {
    env.log(`publishing to ${publishRoot} as the pool ${await pool.getAddress()} on ${networkName} says`);
    const plan = await planPublish(pool, publishRoot, sources);
    const lines = describePublish(plan, !args.dryRun);
    const summary = lines.pop()!;
    for (const line of lines) env.log(line);
    if (args.dryRun) {
      env.log(summary);
      env.log("dry run: nothing was copied or moved");
      return;
    }
    applyPublish(plan, env.log);
    env.log(summary);
  },
});
