/**
 * `sm:reputation --pool ADDR --account ADDR`: an account's soul, its score now (its votes), the anchor the score
 * decays from, its last claimed epoch, whether its soul was recovered away, and the decay ahead.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { parseAddressOption } from "./lib/options.js";
import { describeReputation } from "./lib/describe.js";
import { reputationStatus } from "./lib/pool.js";

interface Args {
  pool?: string;
  account?: string;
}

export default async function reputation(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const account = parseAddressOption("account", args.account);
    const { pool } = await openPool(hre, args.pool);
    for (const line of describeReputation(await reputationStatus(pool, account))) console.log(line);
  });
}
