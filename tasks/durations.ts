/**
 * `sm:durations --pool ADDR [--challenge DURATION] [--window DURATION]`: the admin sets the challenge period and
 * claim window of the epochs proposed from now on.
 */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { TaskError } from "./lib/errors.js";
import { prepareDurations } from "./lib/ops/durations.js";
import { parseDurationOption } from "./lib/options.js";

const UINT32_MAX = 2n ** 32n - 1n;

export default sendingTask({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  parse: (args: SendingTaskArgs & { challenge?: string; window?: string }) => {
    if (!args.challenge && !args.window) throw new TaskError("--challenge or --window is required (or both)");
    return {
      challengePeriod: args.challenge ? parseDurationOption("challenge", args.challenge, UINT32_MAX) : undefined,
      claimWindow: args.window ? parseDurationOption("window", args.window, UINT32_MAX) : undefined,
    };
  },
  plan: async ({ pool }, wanted) => prepareDurations(pool, wanted),
});
