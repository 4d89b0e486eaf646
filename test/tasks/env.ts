// Running a task module (its `run`) on a test's network connection: the output collected in `lines`, the
// configuration variables from a map, the prompt injected, and stdin replaced by a stream that is not a terminal.
import { PassThrough } from "node:stream";
import type { NetworkConnection } from "hardhat/types/network";
import type { TaskEnv } from "../../tasks/lib/connect.js";
import type { Confirm } from "../../tasks/lib/send.js";

export interface TestEnv {
  env: TaskEnv;
  lines: string[];
  /** The questions the prompt was asked. */
  asked: string[];
}

export function testEnv(
  connection: NetworkConnection,
  options: { prompt?: Confirm; answer?: boolean; variables?: Record<string, string> } = {},
): TestEnv {
  const lines: string[] = [];
  const asked: string[] = [];
  const prompt =
    options.prompt ??
    (options.answer === undefined
      ? undefined
      : async (_lines: string[], question: string) => {
          asked.push(question);
          return options.answer!;
        });
  return {
    lines,
    asked,
    env: {
      connect: async () => connection,
      variable: async (name) => options.variables?.[name],
      log: (line) => lines.push(line),
      prompt,
      input: new PassThrough(),
    },
  };
}

/** Runs `fn` and returns the error it throws; fails when it throws none. */
export async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
