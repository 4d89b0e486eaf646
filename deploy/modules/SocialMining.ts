import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { deployEpochRewards } from "../lib/epochRewards.js";

/**
 * Production deployment (testnet or mainnet) of the Social Mining pool for an existing reward token.
 *
 * 1. deploys `EpochRewards` with the deployer as the initial default admin;
 * 2. grants PROPOSER_ROLE, GUARDIAN_ROLE and RECOVERY_ROLE to the `proposer`, `guardian` and `recovery` parameters;
 * 3. begins the two-step transfer of the default admin role to the `admin` parameter (the DAO's timelock or
 *    multisig). The DAO must call `acceptDefaultAdminTransfer()` once `adminTransferDelay` has passed
 *    (docs/runbook.md). Until then the deployer still holds DEFAULT_ADMIN_ROLE and nothing else.
 *
 * When the admin IS the deployer (a rehearsal), deploy `SocialMiningDeployerAdmin.ts` instead, with the same
 * parameters file: an Ignition module cannot branch on a parameter's value, and a transfer to oneself would
 * leave a pointless pending transfer behind.
 *
 * Parameters (`"SocialMining"` in the parameters file): token, admin, adminTransferDelay, challengePeriod,
 * claimWindow, decayBps, name, symbol, proposer, guardian, recovery. See deploy/parameters/README.md.
 */
export default buildModule("SocialMining", (m) => {
  const { epochRewards, grants } = deployEpochRewards(m, m.getParameter<string>("token"));
  m.call(epochRewards, "beginDefaultAdminTransfer", [m.getParameter<string>("admin")], {
    id: "beginDefaultAdminTransfer",
    from: m.getAccount(0),
    // Hand over only once the roles are wired: afterwards the deployer can no longer be relied on to grant them.
    after: grants,
  });
  return { epochRewards };
});
