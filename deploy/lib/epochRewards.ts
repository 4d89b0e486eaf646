import type {
  AccountRuntimeValue,
  AddressResolvableFuture,
  ContractCallFuture,
  IgnitionModuleBuilder,
  ModuleParameterRuntimeValue,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

/** Defaults shared by every module that deploys the pool (docs/contracts.md, deploy/parameters/README.md). */
export const DEFAULTS = {
  /** Two-step admin transfer delay: 2 days, long enough for the community to notice a hostile handover. */
  adminTransferDelay: 2 * 24 * 60 * 60,
  /** The guardian's veto window after each proposal. */
  challengePeriod: 3 * 24 * 60 * 60,
  /** How long an epoch stays claimable after its challenge period (the contract requires >= 1 day). */
  claimWindow: 90 * 24 * 60 * 60,
  /**
   * Decay of an idle reputation each epoch, in basis points (at most 10000), immutable. It must equal the
   * pipeline's `rules.decayBps` (default 1000): `sm:propose` refuses artifacts computed with another value.
   */
  decayBps: 1000,
  name: "Social Mining Reputation",
  symbol: "SMREP",
} as const;

type Address = string | AccountRuntimeValue | ModuleParameterRuntimeValue<string>;

/** Default role holders: accounts of the connected network (parameters cannot default to other parameters). */
export interface RoleHolders {
  proposer: string | AccountRuntimeValue;
  guardian: string | AccountRuntimeValue;
  recovery: string | AccountRuntimeValue;
}

/**
 * Adds to the calling module: the `EpochRewards` deployment with the deployer (account 0) as the initial
 * default admin, and the three operational roles granted to the holders read from the module's parameters.
 *
 * The deployer must be the initial admin: with `AccessControlDefaultAdminRules` only the default admin may grant
 * roles, so a pool deployed with the DAO as admin could not be wired in the same deployment. Every transaction is
 * sent explicitly from account 0 so that `--default-sender` cannot split the deployer from the admin.
 *
 * Parameters read (all in the calling module's namespace): adminTransferDelay, challengePeriod, claimWindow,
 * decayBps, name, symbol, proposer, guardian, recovery; `roleDefaults` supplies defaults for the role holders (none by
 * default: a real deployment must name them).
 */
export function deployEpochRewards(
  m: IgnitionModuleBuilder,
  token: Address | AddressResolvableFuture,
  roleDefaults?: RoleHolders,
): {
  epochRewards: NamedArtifactContractDeploymentFuture<"EpochRewards">;
  grants: ContractCallFuture<"EpochRewards", "grantRole">[];
} {
  const deployer = m.getAccount(0);
  const epochRewards = m.contract(
    "EpochRewards",
    [
      token,
      deployer,
      m.getParameter("adminTransferDelay", DEFAULTS.adminTransferDelay),
      m.getParameter("challengePeriod", DEFAULTS.challengePeriod),
      m.getParameter("claimWindow", DEFAULTS.claimWindow),
      m.getParameter("decayBps", DEFAULTS.decayBps),
      m.getParameter("name", DEFAULTS.name),
      m.getParameter("symbol", DEFAULTS.symbol),
    ],
    { from: deployer },
  );

  const roles = [
    ["PROPOSER_ROLE", "proposer"],
    ["GUARDIAN_ROLE", "guardian"],
    ["RECOVERY_ROLE", "recovery"],
  ] as const;
  const grants = roles.map(([role, holder]) => {
    // Read the role id from the contract rather than re-deriving it here.
    const roleId = m.staticCall(epochRewards, role, [], 0, { id: role });
    const account = m.getParameter(holder, roleDefaults?.[holder]);
    return m.call(epochRewards, "grantRole", [roleId, account], {
      id: `grant_${role}`,
      from: deployer,
    });
  });
  return { epochRewards, grants };
}
