/**
 * `sm:reputation --pool ADDR --account ADDR`: an account's soul, its score now (its votes), the anchor the score
 * decays from, its last claimed epoch, whether its soul was recovered away, and the decay ahead.
 */
import { poolTask } from "./lib/connect.js";
import { describeReputation } from "./lib/describe.js";
import { parseAddressOption } from "./lib/options.js";
import { reputationStatus } from "./lib/views/reputation-status.js";

export default poolTask({
  parse: (args: { pool?: string; account?: string }) => parseAddressOption("account", args.account),
  run: async ({ pool }, account, _args, env) => {
    for (const line of describeReputation(await reputationStatus(pool, account))) env.log(line);
  },
});
