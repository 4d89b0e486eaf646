/** `sm:admin-cancel --pool ADDR`: the admin cancels the pending transfer of the default admin role. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareAdminCancel } from "./lib/ops/admin.js";

export default sendingTask<SendingTaskArgs>({
  sender: { role: "DEFAULT_ADMIN_ROLE" },
  plan: async ({ pool }) => prepareAdminCancel(pool),
});
