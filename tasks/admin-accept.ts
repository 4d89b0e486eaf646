/** `sm:admin-accept --pool ADDR`: the pending admin accepts the default admin role once the admin delay has passed. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareAdminAccept } from "./lib/ops/admin.js";

export default sendingTask<SendingTaskArgs>({
  sender: { pendingAdmin: true },
  plan: async ({ pool }) => prepareAdminAccept(pool),
});
