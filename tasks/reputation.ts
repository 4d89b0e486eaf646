/** `sm:reputation --pool ADDR --account ADDR`: an account's soul, score, last synced epoch and votes. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { parseAddressOption } from "./lib/options.js";
import { reputationStatus } from "./lib/pool.js";

interface Args {
  pool?: string;
  account?: string;
}

export default async function reputation(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const account = parseAddressOption("account", args.account);
    const { pool } = await openPool(hre, args.pool);
    const r = await reputationStatus(pool, account);
    console.log(`account            ${r.account}`);
    console.log(`soul               ${r.soulId === null ? "none (minted by the first claim)" : r.soulId}`);
    console.log(`score              ${r.score}`);
    console.log(`last synced epoch  ${r.lastSyncedEpoch}`);
    console.log(`votes              ${r.votes} (delegate ${r.delegate})`);
  });
}
