/**
 * The collector's storage: one interface ({@link Store}) and one implementation over SQL ({@link SqlStore}),
 * run by two drivers with the same behaviour, SQLite (collector/sqlite.ts) and PostgreSQL
 * (collector/postgres.ts). Every write runs in one transaction, with the checks that depend on what is stored,
 * and is committed (durably) before the promise resolves; a refusal rolls it back.
 *
 * Nothing accepted is ever deleted: a ballot replaced by a newer one of the same voter moves, with its votes,
 * to `ballot_history`.
 */
import { compareWorkIds } from "../protocol/typed-data.js";
import { Refusal } from "./errors.js";

export interface EpochRecord {
  epoch: number;
  start: number;
  end: number;
  /** Decimal string. */
  maxPoints: string;
}

export interface TeamMemberRecord {
  team: string;
  /** Lowercase address. */
  member: string;
  shareBps: number;
}

export interface TeamRecord {
  team: string;
  members: { member: string; shareBps: number }[];
}

export interface ReportRecord {
  epoch: number;
  workId: string;
  /** Lowercase address, or `team:<name>`. */
  contributor: string;
  category: string;
  title: string;
  pov: string[];
  submittedAt: number;
  /** Lowercase address that signed the report. */
  signer: string;
  signature: string;
  digest: string;
  receivedAt: number;
}

export interface BallotRecord {
  epoch: number;
  /** Lowercase address. */
  voter: string;
  castAt: number;
  signature: string;
  digest: string;
  receivedAt: number;
  /** In the signed order (by work id). Points are decimal strings. */
  votes: { workId: string; points: string }[];
}

/** A ballot that a newer one replaced. */
export interface ReplacedBallot extends BallotRecord {
  replacedAt: number;
  replacedBy: string;
}

/** One vote of a current ballot, with its ballot's time and signature (a row of votes.csv). */
export interface VoteRow {
  workId: string;
  voter: string;
  points: string;
  castAt: number;
  signature: string;
}

/** What a write did: `created` false for the identical resubmission of what is stored already. */
export interface WriteResult {
  created: boolean;
  /** The digest of the ballot a new one replaced. */
  replaced?: string;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Binds the database to one chain and pool on first use; refuses a database bound to others. */
  bind(chainId: string, pool: string): Promise<void>;
  epochs(): Promise<EpochRecord[]>;
  epoch(epoch: number): Promise<EpochRecord | undefined>;
  /** Opens an epoch; the same epoch again is accepted (`created` false), a different one refused. */
  openEpoch(epoch: EpochRecord): Promise<WriteResult>;
  teams(epoch: number): Promise<TeamMemberRecord[]>;
  /** Sets the teams of an epoch, replacing its team set; a team that has a report cannot change or go. */
  setTeams(epoch: number, teams: TeamRecord[]): Promise<WriteResult>;
  /** Stores a report whose signature is checked; checks the team and the work id here. */
  addReport(report: ReportRecord): Promise<WriteResult>;
  reports(epoch: number): Promise<ReportRecord[]>;
  /** Stores a ballot whose signature is checked; checks its works, self-votes and its time here. */
  addBallot(ballot: BallotRecord): Promise<WriteResult>;
  ballot(epoch: number, voter: string): Promise<BallotRecord | undefined>;
  /** The ballots of a voter that newer ones replaced, oldest first. */
  replacedBallots(epoch: number, voter: string): Promise<ReplacedBallot[]>;
  /** Every vote of every current ballot of the epoch, by voter then work id. */
  currentVotes(epoch: number): Promise<VoteRow[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Drivers
// ---------------------------------------------------------------------------------------------

export type SqlValue = string | number | null;
export type SqlRow = Record<string, unknown>;

/** Statements of one transaction. SQL uses `?` placeholders (the PostgreSQL driver numbers them). */
export interface SqlTx {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
}

export interface SqlDriver {
  readonly kind: "sqlite" | "postgres";
  /**
   * Runs `fn` in a write transaction, committed durably before the promise resolves; rolled back if `fn`
   * throws (and the error rethrown). Writes naming a common key never interleave.
   */
  write<T>(keys: readonly string[], fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Runs `fn` on a consistent snapshot of what is committed. */
  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The schema, by version: each entry brings the database from the previous version to its own. */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE epochs (
       epoch BIGINT PRIMARY KEY,
       start_at BIGINT NOT NULL,
       end_at BIGINT NOT NULL,
       max_points TEXT NOT NULL,
       opened_at BIGINT NOT NULL)`,
    `CREATE TABLE teams (
       epoch BIGINT NOT NULL REFERENCES epochs (epoch),
       team TEXT NOT NULL,
       member TEXT NOT NULL,
       share_bps INTEGER NOT NULL,
       PRIMARY KEY (epoch, team, member))`,
    `CREATE TABLE reports (
       epoch BIGINT NOT NULL REFERENCES epochs (epoch),
       work_id TEXT NOT NULL,
       contributor TEXT NOT NULL,
       category TEXT NOT NULL,
       title TEXT NOT NULL,
       pov TEXT NOT NULL,
       submitted_at BIGINT NOT NULL,
       signer TEXT NOT NULL,
       signature TEXT NOT NULL,
       digest TEXT NOT NULL,
       received_at BIGINT NOT NULL,
       PRIMARY KEY (epoch, work_id))`,
    `CREATE INDEX reports_contributor ON reports (epoch, contributor)`,
    `CREATE TABLE ballots (
       epoch BIGINT NOT NULL REFERENCES epochs (epoch),
       voter TEXT NOT NULL,
       cast_at BIGINT NOT NULL,
       signature TEXT NOT NULL,
       digest TEXT NOT NULL,
       received_at BIGINT NOT NULL,
       PRIMARY KEY (epoch, voter))`,
    `CREATE TABLE ballot_votes (
       epoch BIGINT NOT NULL,
       voter TEXT NOT NULL,
       work_id TEXT NOT NULL,
       points TEXT NOT NULL,
       PRIMARY KEY (epoch, voter, work_id),
       FOREIGN KEY (epoch, voter) REFERENCES ballots (epoch, voter))`,
    `CREATE INDEX ballot_votes_work ON ballot_votes (epoch, work_id)`,
    `CREATE TABLE ballot_history (
       epoch BIGINT NOT NULL,
       voter TEXT NOT NULL,
       cast_at BIGINT NOT NULL,
       signature TEXT NOT NULL,
       digest TEXT NOT NULL,
       received_at BIGINT NOT NULL,
       votes TEXT NOT NULL,
       replaced_at BIGINT NOT NULL,
       replaced_by TEXT NOT NULL,
       PRIMARY KEY (epoch, voter, digest))`,
  ],
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database's schema to {@link SCHEMA_VERSION}, idempotently; refuses a newer schema. */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.write(["schema"], async (tx) => {
    await tx.run(`CREATE TABLE IF NOT EXISTS collector_schema (version INTEGER NOT NULL)`);
    const rows = await tx.all(`SELECT version FROM collector_schema`);
    let version = rows.length === 0 ? 0 : Number(rows[0]!.version);
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `the database's schema is version ${version}, newer than this collector's (${SCHEMA_VERSION}): run a newer collector`,
      );
    }
    if (rows.length === 0) await tx.run(`INSERT INTO collector_schema (version) VALUES (0)`);
    for (; version < SCHEMA_VERSION; version++) {
      for (const statement of MIGRATIONS[version]!) await tx.run(statement);
      await tx.run(`UPDATE collector_schema SET version = ?`, [version + 1]);
    }
  });
}

const num = (value: unknown) => Number(value);
const str = (value: unknown) => String(value);

function epochOf(row: SqlRow): EpochRecord {
  return { epoch: num(row.epoch), start: num(row.start_at), end: num(row.end_at), maxPoints: str(row.max_points) };
}

function reportOf(row: SqlRow): ReportRecord {
  return {
    epoch: num(row.epoch),
    workId: str(row.work_id),
    contributor: str(row.contributor),
    category: str(row.category),
    title: str(row.title),
    pov: JSON.parse(str(row.pov)) as string[],
    submittedAt: num(row.submitted_at),
    signer: str(row.signer),
    signature: str(row.signature),
    digest: str(row.digest),
    receivedAt: num(row.received_at),
  };
}

const byWorkId = <T extends { workId: string }>(a: T, b: T) => compareWorkIds(a.workId, b.workId);
/** Byte order of ASCII text (addresses, team names compare this way whatever the database's collation). */
const byText = (a: string, b: string) => compareWorkIds(a, b);

const TEAM_PREFIX = "team:";

/** The store over a SQL driver. */
export class SqlStore implements Store {
  constructor(private readonly driver: SqlDriver) {}

  get kind() {
    return this.driver.kind;
  }

  async bind(chainId: string, pool: string): Promise<void> {
    const wanted = { chain_id: chainId, pool: pool.toLowerCase() };
    await this.driver.write(["meta"], async (tx) => {
      for (const [key, value] of Object.entries(wanted)) {
        const rows = await tx.all(`SELECT value FROM meta WHERE key = ?`, [key]);
        if (rows.length === 0) await tx.run(`INSERT INTO meta (key, value) VALUES (?, ?)`, [key, value]);
        else if (str(rows[0]!.value) !== value) {
          throw new Error(
            `the database holds the submissions of ${key === "pool" ? "pool" : "chain"} ${str(rows[0]!.value)}, ` +
              `not ${value}: their signatures are bound to it; use another database`,
          );
        }
      }
    });
  }

  epochs(): Promise<EpochRecord[]> {
    return this.driver.read(async (tx) => (await tx.all(`SELECT * FROM epochs ORDER BY epoch`)).map(epochOf));
  }

  epoch(epoch: number): Promise<EpochRecord | undefined> {
    return this.driver.read(async (tx) => {
      const rows = await tx.all(`SELECT * FROM epochs WHERE epoch = ?`, [epoch]);
      return rows.length === 0 ? undefined : epochOf(rows[0]!);
    });
  }

  openEpoch(e: EpochRecord, openedAt = Math.floor(Date.now() / 1000)): Promise<WriteResult> {
    return this.driver.write(["epochs"], async (tx) => {
      const rows = await tx.all(`SELECT * FROM epochs WHERE epoch = ?`, [e.epoch]);
      if (rows.length > 0) {
        const old = epochOf(rows[0]!);
        if (old.start === e.start && old.end === e.end && old.maxPoints === e.maxPoints) return { created: false };
        throw new Refusal(
          409,
          "epoch-exists",
          `epoch ${e.epoch} is open already with another window or maxPoints (start ${old.start}, end ${old.end}, maxPoints ${old.maxPoints})`,
          "epoch",
        );
      }
      await tx.run(`INSERT INTO epochs (epoch, start_at, end_at, max_points, opened_at) VALUES (?, ?, ?, ?, ?)`, [
        e.epoch,
        e.start,
        e.end,
        e.maxPoints,
        openedAt,
      ]);
      return { created: true };
    });
  }

  teams(epoch: number): Promise<TeamMemberRecord[]> {
    return this.driver.read(async (tx) => teamsIn(tx, epoch));
  }

  setTeams(epoch: number, teams: TeamRecord[]): Promise<WriteResult> {
    return this.driver.write([`works:${epoch}`], async (tx) => {
      if ((await tx.all(`SELECT epoch FROM epochs WHERE epoch = ?`, [epoch])).length === 0) {
        throw new Refusal(404, "unknown-epoch", `epoch ${epoch} is not open on this collector`);
      }
      const old = new Map<string, string>();
      for (const m of await teamsIn(tx, epoch)) {
        old.set(m.team, (old.get(m.team) ?? "") + `${m.member}:${m.shareBps};`);
      }
      const fresh = new Map<string, string>();
      for (const t of teams) {
        const members = [...t.members].sort((a, b) => byText(a.member, b.member));
        fresh.set(t.team, members.map((m) => `${m.member}:${m.shareBps};`).join(""));
      }
      const same = old.size === fresh.size && [...old].every(([team, text]) => fresh.get(team) === text);
      if (same) return { created: false };
      // A team that has a report keeps its members and shares: its reports were signed by them.
      const reported = new Set(
        (
          await tx.all(`SELECT DISTINCT contributor FROM reports WHERE epoch = ? AND contributor LIKE 'team:%'`, [
            epoch,
          ])
        ).map((r) => str(r.contributor).slice(TEAM_PREFIX.length)),
      );
      for (const [team, text] of old) {
        if (reported.has(team) && fresh.get(team) !== text) {
          const index = teams.findIndex((t) => t.team === team);
          throw new Refusal(
            409,
            "team-has-reports",
            `team "${team}" has reports in epoch ${epoch}: its members and shares can no longer change`,
            index < 0 ? "teams" : `teams.${index}`,
          );
        }
      }
      await tx.run(`DELETE FROM teams WHERE epoch = ?`, [epoch]);
      for (const t of teams) {
        for (const m of t.members) {
          await tx.run(`INSERT INTO teams (epoch, team, member, share_bps) VALUES (?, ?, ?, ?)`, [
            epoch,
            t.team,
            m.member,
            m.shareBps,
          ]);
        }
      }
      return { created: true };
    });
  }

  addReport(r: ReportRecord): Promise<WriteResult> {
    return this.driver.write([`works:${r.epoch}`], async (tx) => {
      if (r.contributor.startsWith(TEAM_PREFIX)) {
        const team = r.contributor.slice(TEAM_PREFIX.length);
        const members = (await tx.all(`SELECT member FROM teams WHERE epoch = ? AND team = ?`, [r.epoch, team])).map(
          (m) => str(m.member),
        );
        if (members.length === 0) {
          throw new Refusal(
            422,
            "unknown-team",
            `team "${team}" is not a team of epoch ${r.epoch}: the DAO's admin sets the teams of each epoch`,
            "report.contributor",
          );
        }
        if (!members.includes(r.signer)) {
          throw new Refusal(
            422,
            "wrong-signer",
            `the report is signed by ${r.signer}, who is not a member of team "${team}" in epoch ${r.epoch}`,
            "signature",
          );
        }
      }
      const old = await tx.all(`SELECT digest FROM reports WHERE epoch = ? AND work_id = ?`, [r.epoch, r.workId]);
      if (old.length > 0) {
        if (str(old[0]!.digest) === r.digest) return { created: false };
        throw new Refusal(
          409,
          "work-id-taken",
          `work id "${r.workId}" is taken in epoch ${r.epoch} by another report`,
          "report.workId",
        );
      }
      await tx.run(
        `INSERT INTO reports (epoch, work_id, contributor, category, title, pov, submitted_at, signer, signature, digest, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.epoch,
          r.workId,
          r.contributor,
          r.category,
          r.title,
          JSON.stringify(r.pov),
          r.submittedAt,
          r.signer,
          r.signature,
          r.digest,
          r.receivedAt,
        ],
      );
      return { created: true };
    });
  }

  reports(epoch: number): Promise<ReportRecord[]> {
    return this.driver.read(async (tx) =>
      (await tx.all(`SELECT * FROM reports WHERE epoch = ?`, [epoch])).map(reportOf).sort(byWorkId),
    );
  }

  addBallot(b: BallotRecord): Promise<WriteResult> {
    return this.driver.write([`ballot:${b.epoch}:${b.voter}`], async (tx) => {
      const contributors = new Map<string, string>();
      const ids = b.votes.map((v) => v.workId);
      for (let i = 0; i < ids.length; i += 250) {
        const chunk = ids.slice(i, i + 250);
        const rows = await tx.all(
          `SELECT work_id, contributor FROM reports WHERE epoch = ? AND work_id IN (${chunk.map(() => "?").join(", ")})`,
          [b.epoch, ...chunk],
        );
        for (const row of rows) contributors.set(str(row.work_id), str(row.contributor));
      }
      const teams = new Set(
        (await tx.all(`SELECT team FROM teams WHERE epoch = ? AND member = ?`, [b.epoch, b.voter])).map(
          (r) => TEAM_PREFIX + str(r.team),
        ),
      );
      b.votes.forEach((vote, i) => {
        const contributor = contributors.get(vote.workId);
        if (contributor === undefined) {
          throw new Refusal(
            422,
            "unknown-work",
            `no work "${vote.workId}" is reported in epoch ${b.epoch}`,
            `ballot.votes.${i}.workId`,
          );
        }
        if (contributor === b.voter || teams.has(contributor)) {
          throw new Refusal(
            422,
            "self-vote",
            contributor === b.voter
              ? `work "${vote.workId}" is the voter's own work: members do not vote for themselves`
              : `work "${vote.workId}" is the work of ${contributor}, a team the voter is a member of: members do not vote for themselves`,
            `ballot.votes.${i}.workId`,
          );
        }
      });
      const current = await tx.all(`SELECT * FROM ballots WHERE epoch = ? AND voter = ?`, [b.epoch, b.voter]);
      let replaced: string | undefined;
      if (current.length > 0) {
        const old = current[0]!;
        if (str(old.digest) === b.digest) return { created: false };
        if (num(old.cast_at) >= b.castAt) {
          throw new Refusal(
            409,
            "stale-ballot",
            `the voter's current ballot of epoch ${b.epoch} was cast at ${num(old.cast_at)}: a ballot replaces it only with a later castAt`,
            "ballot.castAt",
          );
        }
        const votes = (
          await tx.all(`SELECT work_id, points FROM ballot_votes WHERE epoch = ? AND voter = ?`, [b.epoch, b.voter])
        )
          .map((v) => ({ workId: str(v.work_id), points: str(v.points) }))
          .sort(byWorkId);
        await tx.run(
          `INSERT INTO ballot_history (epoch, voter, cast_at, signature, digest, received_at, votes, replaced_at, replaced_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            b.epoch,
            b.voter,
            num(old.cast_at),
            str(old.signature),
            str(old.digest),
            num(old.received_at),
            JSON.stringify(votes),
            b.receivedAt,
            b.digest,
          ],
        );
        await tx.run(`DELETE FROM ballot_votes WHERE epoch = ? AND voter = ?`, [b.epoch, b.voter]);
        await tx.run(
          `UPDATE ballots SET cast_at = ?, signature = ?, digest = ?, received_at = ? WHERE epoch = ? AND voter = ?`,
          [b.castAt, b.signature, b.digest, b.receivedAt, b.epoch, b.voter],
        );
        replaced = str(old.digest);
      } else {
        await tx.run(
          `INSERT INTO ballots (epoch, voter, cast_at, signature, digest, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
          [b.epoch, b.voter, b.castAt, b.signature, b.digest, b.receivedAt],
        );
      }
      for (let i = 0; i < b.votes.length; i += 100) {
        const chunk = b.votes.slice(i, i + 100);
        await tx.run(
          `INSERT INTO ballot_votes (epoch, voter, work_id, points) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`,
          chunk.flatMap((v) => [b.epoch, b.voter, v.workId, v.points]),
        );
      }
      return replaced === undefined ? { created: true } : { created: true, replaced };
    });
  }

  ballot(epoch: number, voter: string): Promise<BallotRecord | undefined> {
    return this.driver.read(async (tx) => {
      const rows = await tx.all(`SELECT * FROM ballots WHERE epoch = ? AND voter = ?`, [epoch, voter]);
      if (rows.length === 0) return undefined;
      const row = rows[0]!;
      const votes = (
        await tx.all(`SELECT work_id, points FROM ballot_votes WHERE epoch = ? AND voter = ?`, [epoch, voter])
      )
        .map((v) => ({ workId: str(v.work_id), points: str(v.points) }))
        .sort(byWorkId);
      return {
        epoch,
        voter,
        castAt: num(row.cast_at),
        signature: str(row.signature),
        digest: str(row.digest),
        receivedAt: num(row.received_at),
        votes,
      };
    });
  }

  replacedBallots(epoch: number, voter: string): Promise<ReplacedBallot[]> {
    return this.driver.read(async (tx) =>
      (await tx.all(`SELECT * FROM ballot_history WHERE epoch = ? AND voter = ?`, [epoch, voter]))
        .map((row) => ({
          epoch,
          voter,
          castAt: num(row.cast_at),
          signature: str(row.signature),
          digest: str(row.digest),
          receivedAt: num(row.received_at),
          votes: JSON.parse(str(row.votes)) as BallotRecord["votes"],
          replacedAt: num(row.replaced_at),
          replacedBy: str(row.replaced_by),
        }))
        .sort((a, b) => a.castAt - b.castAt),
    );
  }

  currentVotes(epoch: number): Promise<VoteRow[]> {
    return this.driver.read(async (tx) =>
      (
        await tx.all(
          `SELECT v.work_id, v.voter, v.points, b.cast_at, b.signature
             FROM ballot_votes v JOIN ballots b ON b.epoch = v.epoch AND b.voter = v.voter
            WHERE v.epoch = ?`,
          [epoch],
        )
      )
        .map((row) => ({
          workId: str(row.work_id),
          voter: str(row.voter),
          points: str(row.points),
          castAt: num(row.cast_at),
          signature: str(row.signature),
        }))
        .sort((a, b) => byText(a.voter, b.voter) || byWorkId(a, b)),
    );
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

async function teamsIn(tx: SqlTx, epoch: number): Promise<TeamMemberRecord[]> {
  return (await tx.all(`SELECT team, member, share_bps FROM teams WHERE epoch = ?`, [epoch]))
    .map((row) => ({ team: str(row.team), member: str(row.member), shareBps: num(row.share_bps) }))
    .sort((a, b) => byText(a.team, b.team) || byText(a.member, b.member));
}
