/** `sm:recover --pool ADDR --lost ADDR --to ADDR`: the recovery role moves a lost wallet's soul to a new address. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareRecover } from "./lib/ops/recover.js";
import { parseAddressOption } from "./lib/options.js";

export default sendingTask({
  sender: { role: "RECOVERY_ROLE" },
  parse: (args: SendingTaskArgs & { lost?: string; to?: string }) => ({
    lost: parseAddressOption("lost", args.lost),
    to: parseAddressOption("to", args.to),
  }),
  plan: async ({ pool }, { lost, to }) => prepareRecover(pool, lost, to),
});
