/** `sm:withdraw --pool ADDR --to ADDR --amount AMOUNT`: the admin withdraws unreserved funds (at most available()). */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareWithdraw } from "./lib/ops/withdraw.js";
import { amountInUnits, parseAddressOption, parseAmountOption } from "./lib/options.js";
import { tokenFacts, tokenOf } from "./lib/token.js";

export default sendingTask({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  parse: (args: SendingTaskArgs & { to?: string; amount?: string }) => ({
    to: parseAddressOption("to", args.to),
    amount: parseAmountOption("amount", args.amount),
  }),
  plan: async ({ pool }, { to, amount }) => {
    const { decimals } = await tokenFacts(await tokenOf(pool));
    return prepareWithdraw(pool, to, amountInUnits(amount, decimals));
  },
});
