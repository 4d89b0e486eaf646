import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { deployEpochRewards } from "../lib/epochRewards.js";

/**
 * `SocialMining.ts` without the admin handover: the deployer stays the default admin. For a rehearsal where the
 * `admin` parameter would be the deployer itself. It shares the module id "SocialMining" and the parameters file
 * (the `admin` parameter is not read), so deploying `SocialMining.ts` later to the same deployment id only adds
 * the handover transaction.
 */
export default buildModule("SocialMining", (m) => {
  const { epochRewards } = deployEpochRewards(m, m.getParameter<string>("token"));
  return { epochRewards };
});
