/** `sm:unpause --pool ADDR`: the guardian resumes claims and proposals; open epochs' expiry moves by the pause. */
import { sendingTask, type SendingTaskArgs } from "./lib/connect.js";
import { prepareUnpause } from "./lib/ops/pause.js";

export default sendingTask<SendingTaskArgs>({
  sender: { role: "GUARDIAN_ROLE" },
  plan: async ({ pool }) => prepareUnpause(pool),
});
