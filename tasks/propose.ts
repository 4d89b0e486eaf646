/**
 * `sm:propose --pool ADDR --artifacts DIR [--uri URI]`: publish an epoch's root after checking the artifacts against
 * themselves and the chain. A no-op when the same root is already proposed.
 */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { preparePropose } from "./lib/ops/propose.js";
import { parseTextOption } from "./lib/options.js";

interface Args extends SendingTaskArgs {
  artifacts?: string;
  uri?: string;
}

export default sendingTask({
  sender: { role: "PROPOSER_ROLE" },
  parse: (args: Args) => parseTextOption("artifacts", args.artifacts),
  plan: async ({ pool }, dir, args) => preparePropose(pool, dir, { uri: args.uri }),
});
