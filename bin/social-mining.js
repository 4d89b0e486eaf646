#!/usr/bin/env node
// Launcher of the `social-mining` CLI: registers tsx so that the TypeScript sources run as they are.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../scripts/cli.ts");
process.exitCode = await main(process.argv.slice(2));
