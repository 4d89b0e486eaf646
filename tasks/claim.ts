/**
 * `sm:claim --pool ADDR (--artifacts DIR[,DIR…] | --artifacts-root DIR) [--account ADDR]`: every claimable,
 * unclaimed epoch of one account in ONE claimMany. The signer submits; the tokens go to the account.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { artifactDirs } from "./lib/artifacts.js";
import { openPool, runTask } from "./lib/connect.js";
import { parseAddressOption } from "./lib/options.js";
import { claimRewards } from "./lib/pool.js";

interface Args {
  pool?: string;
  artifacts?: string;
  artifactsRoot?: string;
  account?: string;
  from?: string;
}

export default async function claim(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const dirs = artifactDirs({
      artifacts: args.artifacts || undefined,
      artifactsRoot: args.artifactsRoot || undefined,
    });
    const { pool, signer } = await openPool(hre, args.pool, { from: args.from || undefined });
    const account = args.account ? parseAddressOption("account", args.account) : signer.address;
    console.log(
      `claiming for ${account} (submitted by ${signer.address}) from ${dirs.length} artifacts director${dirs.length === 1 ? "y" : "ies"}`,
    );
    await claimRewards(pool, account, dirs, console.log);
  });
}
