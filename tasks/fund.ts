/** `sm:fund --pool ADDR --amount UNITS`: approve the pool and fund it; prints what the pool credited. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { parseUnitsOption } from "./lib/options.js";
import { fundPool } from "./lib/pool.js";

interface Args {
  pool?: string;
  amount?: string;
  from?: string;
}

export default async function fund(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const amount = parseUnitsOption("amount", args.amount);
    const { pool, signer } = await openPool(hre, args.pool, { from: args.from || undefined });
    console.log(`funding ${await pool.getAddress()} with ${amount} from ${signer.address}`);
    const result = await fundPool(pool, amount, console.log);
    console.log(`credited ${result.credited}; available now ${await pool.available()}`);
  });
}
