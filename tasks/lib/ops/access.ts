/**
 * Granting, revoking and renouncing the pool's operational roles (proposer, guardian, recovery). The default admin
 * role is not granted or revoked: it moves only by the two-step transfer (ops/admin.ts).
 */
import { getAddress, ZeroAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { TaskError } from "../errors.js";
import { roleId, type RoleName } from "../roles.js";
import type { Planned } from "../send.js";
import { requireRole, signerOf } from "../tx.js";

function refuseAdminRole(role: RoleName, what: string): void {
  if (role === "DEFAULT_ADMIN_ROLE") {
    throw new TaskError(
      `--role admin: the default admin role cannot be ${what}; it moves only by the two-step transfer (sm:admin-begin, then sm:admin-accept by the new admin)`,
    );
  }
}

/** Plans `grantRole(role, account)`; a no-op when the account already holds it. Only the admin. */
export async function prepareGrant(
  pool: EpochRewards,
  role: RoleName,
  account: string,
): Promise<Planned<{ role: RoleName; account: string }>> {
  refuseAdminRole(role, "granted");
  const who = getAddress(account);
  if (who === ZeroAddress) throw new TaskError("--account must not be the zero address");
  const id = await roleId(pool, role);
  if (await pool.hasRole(id, who)) {
    return { noop: { status: "noop", message: `${who} already holds ${role}: nothing to do` } };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  return {
    context: [`granting ${role} to ${who}`],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "grantRole",
        args: [id, who],
        authority: { role: "DEFAULT_ADMIN_ROLE", pool },
        notes: { role },
      },
    ],
    finish: async (receipts, log) => {
      if (!(await pool.hasRole(id, who)))
        throw new TaskError(`the transaction ${receipts[0]!.hash} did not grant ${role}`);
      log(`${who} now holds ${role} (tx ${receipts[0]!.hash})`);
      return { role, account: who };
    },
  };
}

/** Plans `revokeRole(role, account)`; a no-op when the account does not hold it. Only the admin. */
export async function prepareRevoke(
  pool: EpochRewards,
  role: RoleName,
  account: string,
): Promise<Planned<{ role: RoleName; account: string }>> {
  refuseAdminRole(role, "revoked");
  const who = getAddress(account);
  const id = await roleId(pool, role);
  if (!(await pool.hasRole(id, who))) {
    return { noop: { status: "noop", message: `${who} does not hold ${role}: nothing to do` } };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  return {
    context: [`revoking ${role} from ${who}`],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "revokeRole",
        args: [id, who],
        authority: { role: "DEFAULT_ADMIN_ROLE", pool },
        notes: { role },
      },
    ],
    finish: async (receipts, log) => {
      if (await pool.hasRole(id, who))
        throw new TaskError(`the transaction ${receipts[0]!.hash} did not revoke ${role}`);
      log(`${who} no longer holds ${role} (tx ${receipts[0]!.hash})`);
      return { role, account: who };
    },
  };
}

/** Plans `renounceRole(role, sender)`: the sender gives up its own role. */
export async function prepareRenounce(
  pool: EpochRewards,
  role: RoleName,
): Promise<Planned<{ role: RoleName; account: string }>> {
  refuseAdminRole(role, "renounced with this task");
  const who = await signerOf(pool).getAddress();
  const id = await roleId(pool, role);
  if (!(await pool.hasRole(id, who))) {
    return { noop: { status: "noop", message: `${who} does not hold ${role}: nothing to do` } };
  }
  return {
    context: [`${who} renounces ${role}: only the admin can grant it again`],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "renounceRole",
        args: [id, who],
        authority: { role, pool },
        notes: { role },
      },
    ],
    finish: (receipts, log) => {
      log(`${who} renounced ${role} (tx ${receipts[0]!.hash})`);
      return { role, account: who };
    },
  };
}
