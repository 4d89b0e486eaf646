import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { deployEpochRewards } from "../lib/epochRewards.js";
import MockTokenModule from "./MockToken.js";

/**
 * The whole suite for a local network (`hardhat node`, the in-process network, demos): the mock reward token,
 * the pool wired to it, and `mintAmount` test tokens minted to the deployer so that it can `fund` the pool.
 * The deployer stays the default admin (no handover). Role holders default to accounts 1, 2 and 3 so that tests
 * and demos exercise the role checks with distinct signers.
 *
 * Parameters (`"LocalSuite"`): mintAmount, adminTransferDelay, challengePeriod, claimWindow, decayBps, name, symbol,
 * proposer, guardian, recovery; the token's under `"MockToken"`.
 */
export default buildModule("LocalSuite", (m) => {
  const { token } = m.useModule(MockTokenModule);
  const { epochRewards } = deployEpochRewards(m, token, {
    proposer: m.getAccount(1),
    guardian: m.getAccount(2),
    recovery: m.getAccount(3),
  });
  m.call(token, "mint", [m.getAccount(0), m.getParameter("mintAmount", 1_000_000n * 10n ** 18n)], {
    id: "mintToDeployer",
  });
  return { token, epochRewards };
});
