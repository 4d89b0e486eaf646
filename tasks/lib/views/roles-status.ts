/**
 * What `sm:roles` reads: who holds each role (the accounts of the RoleGranted / RoleRevoked logs, each checked with
 * hasRole now), the default admin and its pending transfer, the admin delay and its pending change, the pause, and
 * the pool's funds (its token balance, available, outstanding).
 */
import { getAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import type { TokenFacts } from "../format.js";
import { ROLES, roleId, type RoleName } from "../roles.js";
import { tokenFacts, tokenOf } from "../token.js";
import { chainNow } from "../tx.js";

export interface RoleHolders {
  /** The role's name, or undefined for a role id the pool does not declare (seen in the logs only). */
  role?: RoleName;
  id: string;
  /** Accounts holding the role now (hasRole), in the order they were granted it. */
  holders: string[];
  /** Accounts granted the role once that no longer hold it (revoked or renounced). */
  former: string[];
}

export interface RolesStatus {
  pool: string;
  token: TokenFacts;
  now: bigint;
  defaultAdmin: string;
  /** The pending default admin transfer: the new admin, and from when it may accept. */
  pendingAdmin: { account: string; schedule: bigint } | null;
  adminDelay: bigint;
  /** A scheduled change of the admin delay. */
  pendingDelay: { delay: bigint; schedule: bigint } | null;
  /** The longest wait before a longer admin delay applies. */
  delayIncreaseWait: bigint;
  paused: boolean;
  /** The pool's token balance. */
  balance: bigint;
  available: bigint;
  outstanding: bigint;
  /** False when the node could not search logs: the holders are unknown (the default admin is known). */
  logs: boolean;
  /** Every role the pool declares, then any other role id seen in the logs. */
  roles: RoleHolders[];
}

/** Who holds which role, the admin handover, the pause and the funds of the pool. */
export async function rolesStatus(pool: EpochRewards): Promise<RolesStatus> {
  const ids = new Map<string, RoleName>();
  for (const role of ROLES) ids.set((await roleId(pool, role)).toLowerCase(), role);
  const granted = new Map<string, string[]>();
  let logs = true;
  try {
    const events = [
      ...(await pool.queryFilter(pool.filters.RoleGranted())),
      ...(await pool.queryFilter(pool.filters.RoleRevoked())),
    ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const event of events) {
      const id = String(event.args.role).toLowerCase();
      const account = getAddress(event.args.account);
      const list = granted.get(id) ?? [];
      if (!list.includes(account)) list.push(account);
      granted.set(id, list);
    }
  } catch {
    logs = false;
  }
  const roles: RoleHolders[] = [];
  const everyId = [...ids.keys(), ...[...granted.keys()].filter((id) => !ids.has(id))];
  for (const id of everyId) {
    const holders: string[] = [];
    const former: string[] = [];
    for (const account of granted.get(id) ?? []) {
      ((await pool.hasRole(id, account)) ? holders : former).push(account);
    }
    roles.push({ role: ids.get(id), id, holders, former });
  }
  const token = await tokenOf(pool);
  const [pendingAccount, pendingSchedule] = await pool.pendingDefaultAdmin();
  const [pendingDelay, delaySchedule] = await pool.pendingDefaultAdminDelay();
  return {
    pool: await pool.getAddress(),
    token: await tokenFacts(token),
    now: await chainNow(pool),
    defaultAdmin: await pool.defaultAdmin(),
    pendingAdmin: BigInt(pendingAccount) === 0n ? null : { account: pendingAccount, schedule: pendingSchedule },
    adminDelay: await pool.defaultAdminDelay(),
    pendingDelay: delaySchedule === 0n ? null : { delay: pendingDelay, schedule: delaySchedule },
    delayIncreaseWait: await pool.defaultAdminDelayIncreaseWait(),
    paused: await pool.paused(),
    balance: (await token.balanceOf(await pool.getAddress())) as bigint,
    available: await pool.available(),
    outstanding: await pool.outstanding(),
    logs,
    roles,
  };
}
