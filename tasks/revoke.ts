/** `sm:revoke --pool ADDR --role NAME --account ADDR`: the admin revokes an operational role. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareRevoke } from "./lib/ops/access.js";
import { parseAddressOption } from "./lib/options.js";
import { parseRoleOption } from "./lib/roles.js";

export default sendingTask({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  parse: (args: SendingTaskArgs & { role?: string; account?: string }) => ({
    role: parseRoleOption("role", args.role),
    account: parseAddressOption("account", args.account),
  }),
  plan: async ({ pool }, { role, account }) => prepareRevoke(pool, role, account),
});
