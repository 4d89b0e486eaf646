/**
 * `sm:propose --pool ADDR --artifacts DIR [--uri URI] [--yes]`: publish an epoch's root after checking the
 * artifacts against themselves and the chain. A no-op when the same root is already proposed.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { confirmOnTerminal, openPool, runTask } from "./lib/connect.js";
import { parseTextOption } from "./lib/options.js";
import { proposeEpoch } from "./lib/pool.js";

interface Args {
  pool?: string;
  artifacts?: string;
  uri?: string;
  yes: boolean;
  from?: string;
}

export default async function propose(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const dir = parseTextOption("artifacts", args.artifacts);
    const { pool, signer, networkName, isLocal } = await openPool(hre, args.pool, {
      from: args.from || undefined,
      role: "PROPOSER_ROLE",
    });
    console.log(`network ${networkName}, proposer ${signer.address}`);
    const ask = !isLocal && !args.yes;
    const result = await proposeEpoch(pool, dir, {
      uri: args.uri,
      log: console.log,
      confirm: async (lines) => {
        if (ask) return confirmOnTerminal(lines);
        lines.forEach((l) => console.log(l));
        return true;
      },
    });
    if (result.status === "cancelled") process.exitCode = 1;
  });
}
