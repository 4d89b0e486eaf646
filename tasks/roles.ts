/**
 * `sm:roles --pool ADDR`: who holds each role (from the RoleGranted / RoleRevoked logs, checked with hasRole), the
 * default admin and its pending transfer, the admin delay, the pause, and the pool's balances.
 */
import { poolTask } from "./lib/connect.js";
import { describeRoles } from "./lib/describe.js";
import { rolesStatus } from "./lib/views/roles-status.js";

export default poolTask<{ pool?: string }>({
  run: async ({ pool, networkName }, _parsed, _args, env) => {
    for (const line of describeRoles(await rolesStatus(pool), networkName)) env.log(line);
  },
});
