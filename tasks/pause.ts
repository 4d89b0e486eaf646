/** `sm:pause --pool ADDR`: the guardian stops claims and proposals (open claim windows stop running). */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { preparePause } from "./lib/ops/pause.js";

export default sendingTask<SendingTaskArgs>({
  sender: { role: "GUARDIAN_ROLE" },
  plan: async ({ pool }) => preparePause(pool),
});
