import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * A mintable ERC-20 (contracts/test/MockERC20.sol: anyone may mint) for local networks and testnets without a
 * reward token. Never deploy it as the reward token of a real pool.
 *
 * Parameters (`"MockToken"`): name, symbol, decimals.
 */
export default buildModule("MockToken", (m) => {
  const token = m.contract("MockERC20", [
    m.getParameter("name", "Social Mining Test Token"),
    m.getParameter("symbol", "SMT"),
    m.getParameter("decimals", 18),
  ]);
  return { token };
});
