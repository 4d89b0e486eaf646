/**
 * `sm:status --pool ADDR [--artifacts-root DIR]`: the pool's funds, pause, newest final epoch and total reputation,
 * then every epoch's state, root, inputsHash and uri (from its EpochProposed event), claimed / total,
 * reputationTotal and dates; the vetoed epochs after the latest live one come last. With `--artifacts-root` (a
 * publish root, or a directory of epoch-* artifacts), each epoch also names the directory that holds its root.
 */
import { selectArtifacts } from "./lib/artifacts.js";
import { poolTask } from "./lib/connect.js";
import { describeStatus, type StatusArtifacts } from "./lib/describe.js";
import { poolStatus } from "./lib/views/pool-status.js";

export default poolTask<{ pool?: string; artifactsRoot?: string }, StatusArtifacts | undefined>({
  parse: ({ artifactsRoot }) =>
    artifactsRoot
      ? { root: artifactsRoot, sources: selectArtifacts({ artifactsRoot, retired: true }).sources }
      : undefined,
  run: async ({ pool, networkName }, artifacts, _args, env) => {
    for (const line of describeStatus(await poolStatus(pool), networkName, artifacts)) env.log(line);
  },
});
