/**
 * `sm:mint --pool ADDR --amount AMOUNT [--to ADDR]`: test tokens from the local mock token the pool pays, to `--to`
 * (default: the sender). Refused on any chain but a local one.
 */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareMint, requireLocalChain } from "./lib/ops/mint.js";
import { amountInUnits, parseAddressOption, parseAmountOption } from "./lib/options.js";
import { tokenFacts } from "./lib/token.js";

export default sendingTask({
  sender: { anyone: true },
  check: requireLocalChain,
  parse: (args: SendingTaskArgs & { to?: string; amount?: string }) => ({
    to: args.to ? parseAddressOption("to", args.to) : undefined,
    amount: parseAmountOption("amount", args.amount),
  }),
  plan: async (connection, { to, amount }) => {
    const { pool, signer, sender } = connection;
    // The mock's ABI from the compiled artifact.
    const mock = await connection.connection.ethers.getContractAt("MockERC20", await pool.token());
    const token = mock.connect(signer);
    const facts = await tokenFacts(token);
    return prepareMint(connection, token, facts, to ?? sender.address, amountInUnits(amount, facts.decimals));
  },
});
