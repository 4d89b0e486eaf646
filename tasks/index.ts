/**
 * The `sm:*` tasks (docs/tasks.md), as hardhat.config.ts registers them. Options are optional strings that the
 * tasks validate, so that every error names the option. Every task that sends takes `--from`, `--yes`, `--dry-run`
 * and `--safe FILE --safe-address ADDR`; actions are imported lazily, so that loading the config stays cheap.
 */
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const option = <NameT extends string>(name: NameT, description: string) =>
  ({ name, description, type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined }) as const;

const pool = option("pool", "address of the EpochRewards pool");
const from = option(
  "from",
  "sender: one of the network's accounts or the address of a role's key (default: the holder of the role the call needs, or the first account)",
);
const amount = option("amount", "token units (1000000 or 1000000units) or tokens (12.5tokens)");
const yes = { name: "yes", description: "on a live network, send without asking for confirmation" } as const;
const dryRun = { name: "dryRun", description: "describe and estimate the transactions, send nothing" } as const;
const safe = option(
  "safe",
  "write the transactions to this Safe Transaction Builder batch file (JSON) instead of sending them; needs --safe-address",
);
const safeAddress = option(
  "safeAddress",
  "with --safe: the Safe that executes the batch (roles, balances and gas are checked from its address)",
);

/** A task that sends: `--pool`, `--from`, `--yes`, `--dry-run`, `--safe` and `--safe-address`, then its own options. */
function sending(id: string, description: string) {
  return task(id, description)
    .addOption(pool)
    .addOption(from)
    .addFlag(yes)
    .addFlag(dryRun)
    .addOption(safe)
    .addOption(safeAddress);
}

export const smTasks = [
  sending("sm:fund", "Approve and fund the pool; prints what the pool credited")
    .addOption(amount)
    .setAction(() => import("./fund.js"))
    .build(),
  sending("sm:propose", "Propose an epoch's root from its artifacts directory (checked against the chain first)")
    .addOption(option("artifacts", "the epoch's artifacts directory"))
    .addOption(option("uri", "where the artifacts are published"))
    .setAction(() => import("./propose.js"))
    .build(),
  task("sm:status", "Show every epoch of the pool and its available and outstanding funds")
    .addOption(pool)
    .addOption(
      option(
        "artifactsRoot",
        "a publish root or a directory of epoch-* artifacts: show which directory holds each epoch's root",
      ),
    )
    .setAction(() => import("./status.js"))
    .build(),
  task("sm:publish", "Lay out artifacts under a publish root: epochs/epoch-N for live roots, retired/ for vetoed ones")
    .addOption(pool)
    .addOption(option("publishRoot", "the folder served to contributors and the claim page (created if missing)"))
    .addOption(option("artifacts", "artifacts directories to publish, comma-separated"))
    .addOption(option("artifactsRoot", "a directory whose epoch-* subdirectories are artifacts to publish"))
    .addFlag({ name: "dryRun", description: "say what would be copied and moved, change nothing" })
    .setAction(() => import("./publish.js"))
    .build(),
  task("sm:roles", "Show who holds each role, the admin handover, the pause and the pool's balances")
    .addOption(pool)
    .setAction(() => import("./roles.js"))
    .build(),
  sending("sm:veto", "Veto an epoch's root during its challenge period (guardian)")
    .addOption(option("epoch", "epoch number"))
    .addOption(option("reason", "why the root is rejected"))
    .setAction(() => import("./veto.js"))
    .build(),
  sending("sm:claim", "Claim every claimable, unclaimed epoch of one account in one claimMany")
    .addOption(option("artifacts", "artifacts directories, comma-separated"))
    .addOption(
      option(
        "artifactsRoot",
        "a publish root (its epochs/) or a directory of epoch-* artifacts; of several per epoch, the one live on chain",
      ),
    )
    .addOption(option("account", "the account to claim for (default: the sender)"))
    .setAction(() => import("./claim.js"))
    .build(),
  sending("sm:sweep", "Release what an expired epoch did not pay back to the available funds")
    .addOption(option("epoch", "epoch number"))
    .setAction(() => import("./sweep.js"))
    .build(),
  task("sm:reputation", "Show an account's soul, reputation score, last synced epoch and votes")
    .addOption(pool)
    .addOption(option("account", "the account"))
    .setAction(() => import("./reputation.js"))
    .build(),
  sending("sm:pause", "Pause claims and proposals (guardian)")
    .setAction(() => import("./pause.js"))
    .build(),
  sending("sm:unpause", "Resume claims and proposals (guardian)")
    .setAction(() => import("./unpause.js"))
    .build(),
  sending("sm:recover", "Move the soul of a lost wallet to a new address (recovery role)")
    .addOption(option("lost", "the lost wallet whose soul moves"))
    .addOption(option("to", "the new address, which never claimed"))
    .setAction(() => import("./recover.js"))
    .build(),
  sending("sm:grant", "Grant an operational role (admin)")
    .addOption(option("role", "proposer, guardian or recovery"))
    .addOption(option("account", "the account that receives the role"))
    .setAction(() => import("./grant.js"))
    .build(),
  sending("sm:revoke", "Revoke an operational role (admin)")
    .addOption(option("role", "proposer, guardian or recovery"))
    .addOption(option("account", "the account that loses the role"))
    .setAction(() => import("./revoke.js"))
    .build(),
  sending("sm:renounce", "Give up an operational role the sender holds")
    .addOption(option("role", "proposer, guardian or recovery"))
    .setAction(() => import("./renounce.js"))
    .build(),
  sending("sm:admin-begin", "Begin the transfer of the default admin role (admin)")
    .addOption(option("newAdmin", "the new default admin"))
    .setAction(() => import("./admin-begin.js"))
    .build(),
  sending("sm:admin-cancel", "Cancel the pending transfer of the default admin role (admin)")
    .setAction(() => import("./admin-cancel.js"))
    .build(),
  sending("sm:admin-accept", "Accept the default admin role once the admin delay has passed (pending admin)")
    .setAction(() => import("./admin-accept.js"))
    .build(),
  sending("sm:admin-delay", "Schedule a new admin delay, or roll back a scheduled change (admin)")
    .addOption(option("delay", "the new delay: seconds, or 90s, 15m, 72h, 3d"))
    .addFlag({ name: "rollback", description: "cancel the scheduled change of the admin delay" })
    .setAction(() => import("./admin-delay.js"))
    .build(),
  sending("sm:durations", "Set the challenge period and claim window of future epochs (admin)")
    .addOption(option("challenge", "challenge period: seconds, or 90s, 15m, 72h, 3d (default: unchanged)"))
    .addOption(option("window", "claim window: seconds, or 90s, 15m, 72h, 3d (default: unchanged)"))
    .setAction(() => import("./durations.js"))
    .build(),
  sending("sm:withdraw", "Withdraw unreserved funds, at most available() (admin)")
    .addOption(option("to", "the recipient"))
    .addOption(amount)
    .setAction(() => import("./withdraw.js"))
    .build(),
  sending("sm:mint", "Mint the local mock token the pool pays (local chains only)")
    .addOption(amount)
    .addOption(option("to", "the recipient (default: the sender)"))
    .setAction(() => import("./mint.js"))
    .build(),
  task("sm:demo", "Three epochs end to end on the in-process network from examples/ (npm run demo)")
    .setAction(() => import("./demo.js"))
    .build(),
];
