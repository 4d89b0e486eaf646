/** `sm:sweep --pool ADDR --epoch N`: release what an expired epoch did not pay back to available(). */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { parseEpochOption } from "./lib/options.js";
import { sweepEpoch } from "./lib/pool.js";

interface Args {
  pool?: string;
  epoch?: string;
  from?: string;
}

export default async function sweep(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const epoch = parseEpochOption("epoch", args.epoch);
    const { pool } = await openPool(hre, args.pool, { from: args.from || undefined });
    await sweepEpoch(pool, epoch, console.log);
  });
}
