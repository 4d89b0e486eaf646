/**
 * `sm:admin-delay --pool ADDR (--delay DURATION | --rollback)`: the admin schedules a new admin delay, or cancels
 * the scheduled change.
 */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { TaskError } from "./lib/errors.js";
import { prepareAdminDelay, prepareAdminDelayRollback } from "./lib/ops/admin.js";
import { parseDurationOption } from "./lib/options.js";
import type { Planned } from "./lib/send.js";

const UINT48_MAX = 2n ** 48n - 1n;

export default sendingTask({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  parse: (args: SendingTaskArgs & { delay?: string; rollback?: boolean }) => {
    if (args.rollback && args.delay) throw new TaskError("--delay and --rollback exclude each other");
    if (args.rollback) return undefined;
    if (!args.delay) throw new TaskError("--delay is required (or --rollback to cancel a scheduled change)");
    return parseDurationOption("delay", args.delay, UINT48_MAX);
  },
  plan: async ({ pool }, delay): Promise<Planned<unknown>> =>
    delay === undefined ? prepareAdminDelayRollback(pool) : prepareAdminDelay(pool, delay),
});
