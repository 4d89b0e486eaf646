/**
 * `sm:status --pool ADDR`: the pool's funds, pause, newest final epoch and total reputation, then every epoch's
 * state, root, inputsHash and uri (from its EpochProposed event), claimed / total, reputationTotal and dates; the
 * vetoed epochs after the latest live one come last.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { describeStatus } from "./lib/describe.js";
import { poolStatus } from "./lib/pool.js";

interface Args {
  pool?: string;
}

export default async function status(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const { pool, networkName } = await openPool(hre, args.pool);
    for (const line of describeStatus(await poolStatus(pool), networkName)) console.log(line);
  });
}
