/** `sm:veto --pool ADDR --epoch N --reason TEXT`: the guardian rejects a root in its challenge period (and every later one). */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareVeto } from "./lib/ops/veto.js";
import { parseEpochOption, parseTextOption } from "./lib/options.js";

export default sendingTask({
  sender: { role: "GUARDIAN_ROLE" },
  parse: (args: SendingTaskArgs & { epoch?: string; reason?: string }) => ({
    epoch: parseEpochOption("epoch", args.epoch),
    reason: parseTextOption("reason", args.reason),
  }),
  plan: async ({ pool }, { epoch, reason }) => prepareVeto(pool, epoch, reason),
});
