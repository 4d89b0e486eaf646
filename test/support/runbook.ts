// Reads the rehearsal out of docs/runbook.md (§10, "Rehearsal on a local node"), so that test/e2e/runbook.test.ts
// runs the commands exactly as the runbook writes them. The convention, as the runbook states it:
//
// - A fenced block whose info string is `sh {runbook=<step>}` (optionally `sh {runbook=<step> exit=<code>}`) is a
//   step: each of its lines is a command (a line ending in `\` continues on the next; blank lines and `#` comments
//   are skipped), run in order, expected to exit 0 or `<code>`.
// - The block `sh {runbook-vars}` defines the variables: `export NAME=VALUE  # comment`, one a line.
// - Every other block, and the text around, is for the reader only.

/** One command of a step, with the runbook line it starts on. */
export interface RunbookCommand {
  text: string;
  line: number;
}

/** A block `sh {runbook=<name>}`: its commands and the exit code each must end with. */
export interface RunbookStep {
  name: string;
  exit: number;
  line: number;
  commands: RunbookCommand[];
}

/** A line `export NAME=VALUE  # comment` of the block `sh {runbook-vars}`. */
export interface RunbookVariable {
  name: string;
  value: string;
  comment: string;
  line: number;
}

/** A fenced code block: its info string, its lines without the fence's indentation, where its content starts. */
export interface CodeBlock {
  info: string;
  lines: string[];
  line: number;
}

export interface Runbook {
  steps: RunbookStep[];
  variables: RunbookVariable[];
  /** Every fenced block of the document, tagged or not. */
  blocks: CodeBlock[];
  /** The text of every inline code span outside the fenced blocks. */
  inlineCode: string[];
}

/** The fenced blocks of a Markdown document (fences of three or more backticks, possibly indented in a list). */
export function codeBlocks(markdown: string): { blocks: CodeBlock[]; prose: string } {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[j]!); j++) {
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!.trimStart());
    }
    if (j === lines.length) throw new Error(`runbook line ${i + 1}: the code block opened here is never closed`);
    blocks.push({ info: info!.trim(), lines: body, line: i + 2 });
    i = j;
  }
  return { blocks, prose: prose.join("\n") };
}

/** The commands of a shell block: continuation lines joined, blank lines and comment lines left out. */
export function shellCommands(block: CodeBlock): RunbookCommand[] {
  const commands: RunbookCommand[] = [];
  let current: RunbookCommand | undefined;
  block.lines.forEach((raw, index) => {
    const text = raw.trim();
    if (current) {
      current.text += ` ${text}`;
    } else {
      if (text === "" || text.startsWith("#")) return;
      current = { text, line: block.line + index };
    }
    if (current.text.endsWith("\\")) {
      current.text = current.text.slice(0, -1).trimEnd();
    } else {
      commands.push(current);
      current = undefined;
    }
  });
  if (current) throw new Error(`runbook line ${current.line}: the command ends with a line continuation`);
  return commands;
}

/** The attributes of an info string `sh {runbook=deploy exit=1}`: `{ runbook: "deploy", exit: "1" }`. */
function attributes(info: string): Record<string, string> | undefined {
  const match = /^sh\s+\{([^}]*)\}$/.exec(info);
  if (!match) return undefined;
  const attrs: Record<string, string> = {};
  for (const word of match[1]!.trim().split(/\s+/)) {
    const [key, value] = word.split("=", 2) as [string, string | undefined];
    attrs[key] = value ?? "";
  }
  return attrs;
}

/** `export NAME=VALUE  # comment`; a VALUE `<…>` (a placeholder) may hold spaces and `#`. */
function variableOf(command: RunbookCommand): RunbookVariable {
  const match = /^export\s+([A-Z_][A-Z0-9_]*)=(.*)$/.exec(command.text);
  if (!match) throw new Error(`runbook line ${command.line}: not "export NAME=VALUE": ${command.text}`);
  const [, name, rest] = match as unknown as [string, string, string];
  const end = rest.startsWith("<") ? rest.indexOf(">") + 1 : rest.search(/\s+#|$/);
  if (end <= 0) throw new Error(`runbook line ${command.line}: an unclosed placeholder: ${command.text}`);
  const comment = rest.slice(end).trim().replace(/^#\s*/, "");
  return { name, value: rest.slice(0, end).trim(), comment, line: command.line };
}

/** The steps and variables of docs/runbook.md's rehearsal, every code block, and the inline code. */
export function parseRunbook(markdown: string): Runbook {
  const { blocks, prose } = codeBlocks(markdown);
  const steps: RunbookStep[] = [];
  const variables: RunbookVariable[] = [];
  for (const block of blocks) {
    const attrs = attributes(block.info);
    if (!attrs) continue;
    if ("runbook-vars" in attrs) {
      variables.push(...shellCommands(block).map(variableOf));
      continue;
    }
    const name = attrs.runbook;
    if (!name) throw new Error(`runbook line ${block.line - 1}: a tagged block without runbook=<step>: ${block.info}`);
    if (steps.some((s) => s.name === name)) throw new Error(`runbook line ${block.line - 1}: step ${name} twice`);
    const exit = attrs.exit === undefined ? 0 : Number(attrs.exit);
    if (!Number.isInteger(exit)) throw new Error(`runbook line ${block.line - 1}: exit=${attrs.exit} is no exit code`);
    const commands = shellCommands(block);
    if (commands.length === 0) throw new Error(`runbook line ${block.line - 1}: step ${name} has no command`);
    steps.push({ name, exit, line: block.line - 1, commands });
  }
  const inlineCode = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return { steps, variables, blocks, inlineCode };
}

/** The shell variables a command reads (`$NAME`, `${NAME}`), outside single quotes. */
export function variablesRead(command: string): string[] {
  const unquoted = command.replace(/'[^']*'/g, "''");
  return [...new Set([...unquoted.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
}

/** The variable an `export NAME=…` command sets, if it is one. */
export function exportedName(command: string): string | undefined {
  return /^export\s+([A-Z_][A-Z0-9_]*)=/.exec(command)?.[1];
}

/**
 * A JSON-RPC call written as `curl … -d '<request>' $NODE_URL`: the request, or undefined for another command.
 * Only a POST of a JSON body to `$NODE_URL` is recognised, since that is all the runbook's waits are.
 */
export function jsonRpcCall(command: string): { method: string; params: unknown[]; body: string } | undefined {
  if (!/^curl\s/.test(command)) return undefined;
  const data = /\s(?:-d|--data|--data-raw)\s+'([^']*)'/.exec(command);
  if (!data || !/\s\$NODE_URL(\s|$)/.test(command)) {
    throw new Error(`a curl command of the runbook must POST '-d <JSON-RPC request>' to $NODE_URL: ${command}`);
  }
  const request = JSON.parse(data[1]!) as { method?: unknown; params?: unknown };
  if (typeof request.method !== "string" || !Array.isArray(request.params)) {
    throw new Error(`not a JSON-RPC request: ${data[1]}`);
  }
  return { method: request.method, params: request.params, body: data[1]! };
}
