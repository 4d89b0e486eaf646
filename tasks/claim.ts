/**
 * `sm:claim --pool ADDR (--artifacts DIR[,DIR…] | --artifacts-root DIR) [--account ADDR]`: every claimable,
 * unclaimed epoch of one account in ONE claimMany. The signer submits; the tokens go to the account.
 * `--artifacts-root` may be a publish root (`sm:publish`: its `epochs/`) or a folder of allocate's outputs, where
 * an epoch with several directories (a vetoed version and its replacement) is read from the one whose root is live
 * on chain.
 */
import { liveArtifactDirs, selectArtifacts } from "./lib/artifacts.js";
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareClaim } from "./lib/ops/claim.js";
import { parseAddressOption } from "./lib/options.js";

interface Args extends SendingTaskArgs {
  artifacts?: string;
  artifactsRoot?: string;
  account?: string;
}

export default sendingTask({
  sender: { anyone: true },
  parse: (args: Args) => ({
    selection: selectArtifacts({
      artifacts: args.artifacts || undefined,
      artifactsRoot: args.artifactsRoot || undefined,
    }),
    account: args.account ? parseAddressOption("account", args.account) : undefined,
  }),
  plan: async ({ pool, sender }, { selection, account }) => {
    const { dirs, notes } = await liveArtifactDirs(pool, selection);
    const planned = await prepareClaim(pool, account ?? sender.address, dirs);
    const published = selection.published ? [`reading the published epochs of ${selection.root}`] : [];
    return { ...planned, context: [...published, ...notes, ...(planned.context ?? [])] };
  },
});
