/**
 * Transaction plumbing shared by the operations: the signer or provider a contract is connected to, waiting for a
 * receipt, the pool's events in a receipt, the role check before sending, and the chain's clock.
 */
import type { BaseContract, LogDescription, Provider, Signer, TransactionReceipt } from "ethers";
import type { EpochRewards } from "../../typechain-types/index.js";
import { TaskError } from "./errors.js";
import { roleId, type RoleName } from "./roles.js";

/** The signer a contract is connected to (the sender of the operations). */
export function signerOf(contract: BaseContract): Signer {
  const runner = contract.runner as Signer | null;
  if (!runner || typeof (runner as Signer).getAddress !== "function") {
    throw new TaskError("internal: the contract must be connected to a signer");
  }
  return runner;
}

/** The provider behind a contract's runner: a signer's provider, or the runner itself when it is a provider. */
export function providerOf(contract: BaseContract): Provider {
  const runner = contract.runner as (Signer & Provider) | null;
  const provider = runner && typeof runner.getAddress === "function" ? runner.provider : runner;
  if (!provider || typeof provider.getBlock !== "function") {
    throw new TaskError("internal: the contract must be connected to a provider or a signer with one");
  }
  return provider;
}

export async function mined<ReceiptT extends TransactionReceipt>(tx: {
  wait(): Promise<ReceiptT | null>;
}): Promise<ReceiptT> {
  const receipt = await tx.wait();
  if (!receipt) throw new TaskError("the transaction was not mined");
  return receipt;
}

/** The pool's events in a receipt, decoded (logs of other contracts, such as the token's, are left out). */
export function parsedLogs(receipt: TransactionReceipt, pool: BaseContract): LogDescription[] {
  const parsed: LogDescription[] = [];
  for (const log of receipt.logs) {
    try {
      const description = pool.interface.parseLog(log);
      if (description) parsed.push(description);
    } catch {
      // a log of another contract (the token)
    }
  }
  return parsed;
}

/** The first `name` event of the pool in a receipt; throws if the transaction emitted none. */
export function findEvent(receipt: TransactionReceipt, pool: BaseContract, name: string): LogDescription {
  const found = parsedLogs(receipt, pool).find((e) => e.name === name);
  if (!found) throw new TaskError(`the transaction ${receipt.hash} emitted no ${name} event`);
  return found;
}

/** Throws unless the pool's signer holds `role`; `what` names the role for the operator. */
export async function requireRole(pool: EpochRewards, role: RoleName, what: string) {
  const account = await signerOf(pool).getAddress();
  if (!(await pool.hasRole(await roleId(pool, role), account))) {
    throw new TaskError(`${account} does not hold ${role} on ${await pool.getAddress()}: only the ${what} may do this`);
  }
}

/** The timestamp of the latest block. */
export async function chainNow(contract: BaseContract): Promise<bigint> {
  const block = await providerOf(contract).getBlock("latest");
  if (!block) throw new TaskError("cannot read the latest block");
  return BigInt(block.timestamp);
}
