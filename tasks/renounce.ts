/** `sm:renounce --pool ADDR --role NAME`: the sender gives up an operational role it holds. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareRenounce } from "./lib/ops/access.js";
import { parseRoleOption } from "./lib/roles.js";

export default sendingTask({
  sender: (role) => ({ role }),
  parse: (args: SendingTaskArgs & { role?: string }) => parseRoleOption("role", args.role),
  plan: async ({ pool }, role) => prepareRenounce(pool, role),
});
