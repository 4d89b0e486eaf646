/**
 * The default admin's two-step handover (OpenZeppelin `AccessControlDefaultAdminRules`): the admin begins a
 * transfer, the new admin accepts it once the admin delay has passed, and until then the admin may cancel it. The
 * delay itself changes only after a wait (`changeDefaultAdminDelay`, `rollbackDefaultAdminDelay`).
 */
import { getAddress, ZeroAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { TaskError } from "../errors.js";
import { durationUnit, formatDuration, isoDate } from "../format.js";
import type { Planned } from "../send.js";
import { chainNow, findEvent, requireRole, signerOf } from "../tx.js";

const admin = (pool: EpochRewards) => ({ role: "DEFAULT_ADMIN_ROLE" as const, pool });

/** Plans `beginDefaultAdminTransfer(newAdmin)`; a no-op when the same transfer is already pending. Only the admin. */
export async function prepareAdminBegin(
  pool: EpochRewards,
  newAdmin: string,
): Promise<Planned<{ newAdmin: string; acceptSchedule: bigint }>> {
  const target = getAddress(newAdmin);
  if (target === ZeroAddress) throw new TaskError("--new-admin must not be the zero address");
  const current = await pool.defaultAdmin();
  if (target === current) throw new TaskError(`--new-admin ${target} is already the default admin`);
  const [pending, schedule] = await pool.pendingDefaultAdmin();
  if (pending === target && schedule !== 0n) {
    return {
      noop: {
        status: "noop",
        message: `a transfer to ${target} is already pending: it may accept from ${isoDate(schedule)}; nothing to do`,
      },
    };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  const delay = await pool.defaultAdminDelay();
  const now = await chainNow(pool);
  return {
    context: [
      `beginning the transfer of the default admin role from ${current} to ${target}`,
      `admin delay ${formatDuration(delay)}: ${target} may accept from about ${isoDate(now + delay)} (sm:admin-accept); until then the admin may cancel (sm:admin-cancel)`,
      ...(BigInt(pending) !== 0n
        ? [`this replaces the pending transfer to ${pending} (acceptable from ${isoDate(schedule)})`]
        : []),
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "beginDefaultAdminTransfer",
        args: [target],
        authority: admin(pool),
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const acceptSchedule = findEvent(receipt, pool, "DefaultAdminTransferScheduled").args.acceptSchedule as bigint;
      log(`admin transfer to ${target} begun: it may accept from ${isoDate(acceptSchedule)} (tx ${receipt.hash})`);
      return { newAdmin: target, acceptSchedule };
    },
  };
}

/** Plans `cancelDefaultAdminTransfer()`; a no-op when no transfer is pending. Only the admin. */
export async function prepareAdminCancel(pool: EpochRewards): Promise<Planned<{ cancelled: string }>> {
  const [pending, schedule] = await pool.pendingDefaultAdmin();
  if (BigInt(pending) === 0n) {
    return { noop: { status: "noop", message: "no default admin transfer is pending: nothing to do" } };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  return {
    context: [
      `cancelling the pending transfer of the default admin role to ${pending} (acceptable from ${isoDate(schedule)})`,
    ],
    calls: [
      { contract: pool, label: "the pool", method: "cancelDefaultAdminTransfer", args: [], authority: admin(pool) },
    ],
    finish: (receipts, log) => {
      log(`cancelled the admin transfer to ${pending} (tx ${receipts[0]!.hash})`);
      return { cancelled: pending };
    },
  };
}

/**
 * Plans `acceptDefaultAdminTransfer()` by the pending admin, once its schedule has passed. The former admin then
 * holds no admin role.
 */
export async function prepareAdminAccept(pool: EpochRewards): Promise<Planned<{ admin: string }>> {
  const [pending, schedule] = await pool.pendingDefaultAdmin();
  if (BigInt(pending) === 0n)
    throw new TaskError(`no default admin transfer is pending on ${await pool.getAddress()}: nothing to accept`);
  const sender = await signerOf(pool).getAddress();
  if (sender !== pending) {
    throw new TaskError(`${sender} is not the pending default admin ${pending}: only it may accept`);
  }
  const now = await chainNow(pool);
  if (now < schedule) {
    throw new TaskError(
      `the transfer to ${pending} may be accepted from ${isoDate(schedule)} (in ${formatDuration(schedule - now)}), not before`,
    );
  }
  const current = await pool.defaultAdmin();
  return {
    context: [`accepting the default admin role: ${current} → ${pending}; ${current} then holds no admin role`],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "acceptDefaultAdminTransfer",
        args: [],
        authority: { holder: `the pending default admin (acceptable since ${isoDate(schedule)})` },
      },
    ],
    finish: async (receipts, log) => {
      const now = await pool.defaultAdmin();
      log(`${now} is now the default admin (tx ${receipts[0]!.hash})`);
      return { admin: now };
    },
  };
}

/** What OpenZeppelin waits before a new admin delay applies: a longer one min(newDelay, increase wait), a shorter the difference. */
async function delayChangeWait(pool: EpochRewards, current: bigint, next: bigint): Promise<bigint> {
  if (next > current) {
    const cap = await pool.defaultAdminDelayIncreaseWait();
    return next < cap ? next : cap;
  }
  return current - next;
}

/**
 * Plans `changeDefaultAdminDelay(delay)`; a no-op when the delay is already `delay` (or that change is already
 * scheduled). Only the admin.
 */
export async function prepareAdminDelay(
  pool: EpochRewards,
  delay: bigint,
): Promise<Planned<{ newDelay: bigint; effectSchedule: bigint }>> {
  const current = await pool.defaultAdminDelay();
  const [pendingDelay, pendingSchedule] = await pool.pendingDefaultAdminDelay();
  if (pendingSchedule === 0n && current === delay) {
    return { noop: { status: "noop", message: `the admin delay is already ${formatDuration(delay)}: nothing to do` } };
  }
  if (pendingSchedule !== 0n && pendingDelay === delay) {
    return {
      noop: {
        status: "noop",
        message: `the admin delay already changes to ${formatDuration(delay)} at ${isoDate(pendingSchedule)}: nothing to do`,
      },
    };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  const wait = await delayChangeWait(pool, current, delay);
  const now = await chainNow(pool);
  return {
    context: [
      `changing the admin delay from ${formatDuration(current)} to ${formatDuration(delay)}: it applies from about ${isoDate(now + wait)} (after ${formatDuration(wait)})`,
      ...(pendingSchedule !== 0n
        ? [`this replaces the scheduled change to ${formatDuration(pendingDelay)} at ${isoDate(pendingSchedule)}`]
        : []),
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "changeDefaultAdminDelay",
        args: [delay],
        authority: admin(pool),
        notes: { newDelay: durationUnit(delay) },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const event = findEvent(receipt, pool, "DefaultAdminDelayChangeScheduled");
      const effectSchedule = event.args.effectSchedule as bigint;
      log(`the admin delay becomes ${formatDuration(delay)} at ${isoDate(effectSchedule)} (tx ${receipt.hash})`);
      return { newDelay: delay, effectSchedule };
    },
  };
}

/** Plans `rollbackDefaultAdminDelay()`; a no-op when no delay change is scheduled. Only the admin. */
export async function prepareAdminDelayRollback(pool: EpochRewards): Promise<Planned<{ rolledBack: bigint }>> {
  const [pendingDelay, pendingSchedule] = await pool.pendingDefaultAdminDelay();
  if (pendingSchedule === 0n) {
    return { noop: { status: "noop", message: "no admin delay change is scheduled: nothing to do" } };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  return {
    context: [
      `cancelling the scheduled change of the admin delay to ${formatDuration(pendingDelay)} at ${isoDate(pendingSchedule)}; it stays ${formatDuration(await pool.defaultAdminDelay())}`,
    ],
    calls: [
      { contract: pool, label: "the pool", method: "rollbackDefaultAdminDelay", args: [], authority: admin(pool) },
    ],
    finish: (receipts, log) => {
      log(`rolled back the admin delay change (tx ${receipts[0]!.hash})`);
      return { rolledBack: pendingDelay };
    },
  };
}
