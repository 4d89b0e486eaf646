/**
 * The pool's roles as the tasks name them. The role list comes from the compiled ABI (every `*_ROLE()` getter the
 * pool declares), the ids from the contract itself; an operator names a role by its short name (`proposer`,
 * `guardian`, `recovery`, `admin`) or its constant (`PROPOSER_ROLE`).
 */
import type { BaseContract } from "ethers";
import { EPOCH_REWARDS_ABI } from "../../protocol/abi.js";
import { TaskError } from "./errors.js";

type AbiEntry = (typeof EPOCH_REWARDS_ABI)[number];

/** A role the pool declares: `DEFAULT_ADMIN_ROLE`, `PROPOSER_ROLE`, `GUARDIAN_ROLE`, `RECOVERY_ROLE`. */
export type RoleName = Extract<AbiEntry, { type: "function"; name: `${string}_ROLE`; inputs: readonly [] }>["name"];

/** Every role the pool declares, the default admin first. */
export const ROLES: readonly RoleName[] = EPOCH_REWARDS_ABI.flatMap((entry) =>
  entry.type === "function" && entry.inputs.length === 0 && /^[A-Z_]+_ROLE$/.test(entry.name)
    ? [entry.name as RoleName]
    : [],
).sort((a, b) => (a === "DEFAULT_ADMIN_ROLE" ? -1 : b === "DEFAULT_ADMIN_ROLE" ? 1 : a.localeCompare(b)));

/** The short name of a role: `admin` for the default admin, else the constant without `_ROLE`, in lower case. */
export function roleShortName(role: RoleName): string {
  return role === "DEFAULT_ADMIN_ROLE" ? "admin" : role.replace(/_ROLE$/, "").toLowerCase();
}

/** How the operator calls a role's holder: "default admin", "proposer", "guardian", "recovery role". */
export function roleTitle(role: RoleName): string {
  if (role === "DEFAULT_ADMIN_ROLE") return "default admin";
  const name = roleShortName(role);
  return name === "recovery" ? "recovery role" : name;
}

/**
 * The configuration variable holding the private key of a role's operator on a live network: `SM_ADMIN_KEY`,
 * `SM_PROPOSER_KEY`, `SM_GUARDIAN_KEY`, `SM_RECOVERY_KEY` (docs/tasks.md, Signers).
 */
export function roleKeyVariable(role: RoleName): string {
  return `SM_${roleShortName(role).toUpperCase()}_KEY`;
}

/** A role from `--<option>`: a short name (`proposer`, `admin`, `default-admin`) or the constant (`PROPOSER_ROLE`). */
export function parseRoleOption(option: string, value: string | undefined): RoleName {
  const names = ROLES.map(roleShortName).join(", ");
  if (value === undefined || value.trim() === "") throw new TaskError(`--${option} is required (one of ${names})`);
  const text = value.trim().toLowerCase().replaceAll("-", "_");
  const found = ROLES.find(
    (role) =>
      roleShortName(role) === text ||
      role.toLowerCase() === text ||
      role.toLowerCase() === `${text}_role` ||
      (role === "DEFAULT_ADMIN_ROLE" && text === "default_admin"),
  );
  if (!found) throw new TaskError(`--${option}: ${JSON.stringify(value)} is not a role (one of ${names})`);
  return found;
}

/** The id of `role` as the pool defines it (read from the contract). */
export async function roleId(pool: BaseContract, role: RoleName): Promise<string> {
  return String(await pool.getFunction(role).staticCall());
}

/** The role whose id is `id`, if the pool declares it. */
export async function roleOfId(pool: BaseContract, id: string): Promise<RoleName | undefined> {
  for (const role of ROLES) if ((await roleId(pool, role)).toLowerCase() === id.toLowerCase()) return role;
  return undefined;
}
