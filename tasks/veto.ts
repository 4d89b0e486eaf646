/** `sm:veto --pool ADDR --epoch N --reason TEXT`: the guardian rejects a root in its challenge period (and every later one). */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { parseEpochOption, parseTextOption } from "./lib/options.js";
import { vetoEpoch } from "./lib/pool.js";

interface Args {
  pool?: string;
  epoch?: string;
  reason?: string;
  from?: string;
}

export default async function veto(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const epoch = parseEpochOption("epoch", args.epoch);
    const reason = parseTextOption("reason", args.reason);
    const { pool, signer } = await openPool(hre, args.pool, { from: args.from || undefined, role: "GUARDIAN_ROLE" });
    console.log(`guardian ${signer.address}`);
    await vetoEpoch(pool, epoch, reason, console.log);
  });
}
