/** `sm:status --pool ADDR`: every epoch's state, root, total, claimed and dates, plus available and outstanding. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { openPool, runTask } from "./lib/connect.js";
import { poolStatus } from "./lib/pool.js";

interface Args {
  pool?: string;
}

export default async function status(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(async () => {
    const { pool, networkName } = await openPool(hre, args.pool);
    const s = await poolStatus(pool);
    console.log(`pool         ${s.pool} on ${networkName}${s.paused ? " (PAUSED)" : ""}`);
    console.log(`token        ${s.token}`);
    console.log(`chain time   ${s.now}`);
    console.log(`durations    challenge ${s.challengePeriod} s, claim window ${s.claimWindow} s`);
    console.log(`available    ${s.available}`);
    console.log(`outstanding  ${s.outstanding}`);
    console.log(`epochs       ${s.latestEpoch}`);
    for (const e of s.epochs) {
      console.log(`\nepoch ${e.epoch}: ${e.state}`);
      if (e.claimableAt === null) continue;
      console.log(`  root         ${e.root}`);
      console.log(`  inputsHash   ${e.inputsHash}`);
      console.log(`  total        ${e.total}`);
      console.log(`  claimed      ${e.claimed}`);
      console.log(`  claimableAt  ${e.claimableAt}`);
      console.log(`  expiresAt    ${e.expiresAt}`);
    }
  });
}
