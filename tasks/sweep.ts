/** `sm:sweep --pool ADDR --epoch N`: release what an expired epoch did not pay back to available(). */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareSweep } from "./lib/ops/sweep.js";
import { parseEpochOption } from "./lib/options.js";

export default sendingTask({
  sender: { anyone: true },
  parse: (args: SendingTaskArgs & { epoch?: string }) => parseEpochOption("epoch", args.epoch),
  plan: async ({ pool }, epoch) => prepareSweep(pool, epoch),
});
