/**
 * `sm:fund --pool ADDR --amount AMOUNT`: approve the pool (if the allowance is short) and fund it; prints what the
 * pool credited. AMOUNT is token units (`1000000`) or tokens (`12.5tokens`).
 */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareFund } from "./lib/ops/fund.js";
import { amountInUnits, parseAmountOption } from "./lib/options.js";
import { tokenFacts, tokenOf } from "./lib/token.js";

export default sendingTask({
  sender: { anyone: true },
  parse: (args: SendingTaskArgs & { amount?: string }) => parseAmountOption("amount", args.amount),
  plan: async ({ pool }, amount) => {
    const { decimals } = await tokenFacts(await tokenOf(pool));
    return prepareFund(pool, amountInUnits(amount, decimals));
  },
});
