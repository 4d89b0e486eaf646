/**
 * Generates the sample community export of examples/epoch-{1,2,3}/ (committed; rerun with
 * `npx tsx examples/generate.ts` after changing this file, or `npx tsx examples/generate.ts <dir>`
 * to write epoch-{1,2,3}/ into another directory). Deterministic: the tests' seeded generator
 * (test/support/exports.ts), fixed addresses. The first 20 members are Hardhat's default accounts
 * (mnemonic "test test … junk") so that the demo can claim with those signers.
 */
import { resolve, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256Hex, toChecksumAddress } from "../scripts/lib/index.js";
import { communityExport, writeExport } from "../test/support/exports.js";

const HARDHAT_ACCOUNTS = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
  "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
  "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
  "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
  "0xBcd4042DE499D14e55001CcbB24a551F3b954096",
  "0x71bE63f3384f5fb98995898A86B02Fb2426c5788",
  "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a",
  "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec",
  "0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097",
  "0xcd3B766CCDd6AE721141F452C550Ca635964ce71",
  "0x2546BcD3c84621e976D8185a91A922aE77ECEc30",
  "0xbDA5747bFD65F08deb54cb465eB87D40e51B197E",
  "0xdD2FD4581271e230360230F9337D5c0430Bf44C0",
  "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199",
];
/** 16 more members with addresses derived from their handle (nobody holds their keys). */
const OTHER_MEMBERS = Array.from({ length: 16 }, (_, i) =>
  toChecksumAddress(
    "0x" + keccak256Hex(`social-mining example member ${i}`).slice(-40),
  ),
);
const MEMBERS = [...HARDHAT_ACCOUNTS, ...OTHER_MEMBERS];
const TEAM = {
  name: "lighthouse",
  members: [MEMBERS[5]!, MEMBERS[6]!, MEMBERS[22]!],
  shares: [5000, 3000, 2000],
};

const CATEGORIES = [
  [
    "article",
    "Deep dive: how epoch roots are published",
    "https://medium.com/@member/epoch-roots",
  ],
  [
    "video",
    "Claiming rewards in two minutes",
    "https://youtube.com/watch?v=claim-demo",
  ],
  [
    "translation",
    "Docs translated to Spanish",
    "https://github.com/dao/docs/pull/12",
  ],
  [
    "moderation",
    "Discord moderation, week shifts",
    "https://discord.com/channels/dao/moderation-log",
  ],
  [
    "bug-report",
    "Claim page shows stale proof after switch",
    "https://github.com/dao/app/issues/77",
  ],
  [
    "tool",
    "CLI to export dashboard votes",
    "https://github.com/member/export-votes",
  ],
  [
    "partnership",
    "Workshop with a university blockchain club",
    "https://x.com/dao/status/workshop",
  ],
  ["article", "Reputation decay explained", "https://mirror.xyz/member/decay"],
] as const;

interface EpochPlan {
  epoch: number;
  start: string;
  end: string;
  /** Indices into MEMBERS of the address contributors this epoch. */
  contributors: number[];
  rules: Record<string, unknown>;
}

const PLANS: EpochPlan[] = [
  {
    epoch: 1,
    start: "2025-01-01T00:00:00Z",
    end: "2025-01-31T23:59:59Z",
    contributors: range(0, 24),
    rules: { maxPoints: "10" },
  },
  {
    epoch: 2,
    start: "2025-02-01T00:00:00Z",
    end: "2025-02-28T23:59:59Z",
    contributors: range(4, 30),
    rules: { maxPoints: "10", minVoters: 2 },
  },
  {
    epoch: 3,
    start: "2025-03-01T00:00:00Z",
    end: "2025-03-31T23:59:59Z",
    contributors: range(10, 36),
    rules: { maxPoints: "10", minVoters: 2, voterWeight: "sqrt", capBps: 1500 },
  },
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function generate(plan: EpochPlan, dir: string): void {
  const generated = communityExport({
    epoch: plan.epoch,
    seed: plan.epoch * 7919,
    start: plan.start,
    end: plan.end,
    contributors: plan.contributors.map((c) => MEMBERS[c]!),
    kinds: CATEGORIES,
    voters: MEMBERS,
    team: {
      ...TEAM,
      work: [
        "campaign",
        `Lighthouse community campaign, epoch ${plan.epoch}`,
        `https://x.com/lighthouse/campaign-${plan.epoch}`,
      ],
    },
    settings: {
      pool: "10000000000000000000000",
      tokenDecimals: 18,
      chainId: 31337,
      distributor: "0x0000000000000000000000000000000000000000",
    },
    rules: plan.rules,
  });

  if (plan.epoch === 1) {
    // A handful of bad rows of each soft kind, so that report.md shows every reason.
    const { works, votes } = generated;
    const [a, b] = [works[0]!, works[1]!]; // [work_id, contributor, …]
    const teamWork = `e${plan.epoch}-team`;
    votes.push(
      [a[0]!, a[1]!, "10", "2025-01-20T10:00:00Z"], // self-vote
      [teamWork, TEAM.members[1], "9", "2025-01-21T10:00:00Z"], // self-vote: team member
      [b[0]!, MEMBERS[30]!, "11", "2025-01-22T10:00:00Z"], // points above maxPoints
      [b[0]!, MEMBERS[31]!, "-1", "2025-01-22T11:00:00Z"], // negative points
      [a[0]!, MEMBERS[32]!, "5", "2024-12-31T23:59:59Z"], // one second before the window
      [a[0]!, MEMBERS[33]!, "5", "2025-02-01T00:00:00Z"], // one second after the window
    );
    const [dupWork, dupVoter] = votes[0]!;
    votes.push([dupWork!, dupVoter!, "10", "2025-01-30T12:00:00Z"]); // duplicate: the earlier vote stands
    const [dup2Work, dup2Voter] = votes[4]!;
    votes.push([dup2Work!, dup2Voter!.toLowerCase(), "1", "2025-01-31T23:59:59Z"]); // duplicate, lowercase address
  }

  writeExport(dir, generated);
}

const root = process.argv[2] ? resolve(process.argv[2]) : dirname(fileURLToPath(import.meta.url));
for (const plan of PLANS) generate(plan, join(root, `epoch-${plan.epoch}`));
