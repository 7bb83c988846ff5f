// Every 5 minutes: closes the AG votes whose closing time has passed (results published in chat),
// then deletes the ballot data (ballots, participations, proxies) of votes closed longer ago than
// their purge delay; the aggregated results stay on the vote.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { closeDueVotes, purgeExpiredBallots } from "../src/app/services/votes.ts";

export const votePurgeJob = defineJob({
  ...JOB_META["vote-purge"],
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun, cptsId }) {
    const now = ctx.clock.now();
    const clos = await closeDueVotes(ctx, now, { dryRun, cptsId });
    const purge = await purgeExpiredBallots(ctx, now, { dryRun, cptsId });
    return { votes_clos: clos, votes_purges: purge.votes, lignes_supprimees: purge.rows };
  },
});
