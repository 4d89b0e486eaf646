/** `sm:admin-begin --pool ADDR --new-admin ADDR`: the admin begins the two-step transfer of the default admin role. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareAdminBegin } from "./lib/ops/admin.js";
import { parseAddressOption } from "./lib/options.js";

export default sendingTask({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  parse: (args: SendingTaskArgs & { newAdmin?: string }) => parseAddressOption("new-admin", args.newAdmin),
  plan: async ({ pool }, newAdmin) => prepareAdminBegin(pool, newAdmin),
});
