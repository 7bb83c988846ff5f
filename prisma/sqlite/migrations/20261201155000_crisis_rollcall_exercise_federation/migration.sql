-- AlterTable
ALTER TABLE "Member" ADD COLUMN "representsCptsId" TEXT;

-- CreateTable
CREATE TABLE "CrisisAnswerToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "activationId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CrisisAnswerToken_activationId_fkey" FOREIGN KEY ("activationId") REFERENCES "CrisisActivation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CrisisActivation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "situation" TEXT NOT NULL,
    "description" TEXT,
    "grave" BOOLEAN NOT NULL DEFAULT true,
    "activatedOn" TEXT NOT NULL,
    "activatedBy" TEXT,
    "closedOn" TEXT,
    "feedback" TEXT,
    "exercise" BOOLEAN NOT NULL DEFAULT false,
    "reminderAfterMinutes" INTEGER,
    "reminderSentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CrisisActivation_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CrisisActivation" ("activatedBy", "activatedOn", "closedOn", "cptsId", "createdAt", "description", "feedback", "grave", "id", "situation") SELECT "activatedBy", "activatedOn", "closedOn", "cptsId", "createdAt", "description", "feedback", "grave", "id", "situation" FROM "CrisisActivation";
DROP TABLE "CrisisActivation";
ALTER TABLE "new_CrisisActivation" RENAME TO "CrisisActivation";
CREATE INDEX "CrisisActivation_reminderSentAt_closedOn_idx" ON "CrisisActivation"("reminderSentAt", "closedOn");
CREATE TABLE "new_CrisisRollCall" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "activationId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "available" BOOLEAN NOT NULL,
    "answeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "via" TEXT NOT NULL DEFAULT 'chat',
    CONSTRAINT "CrisisRollCall_activationId_fkey" FOREIGN KEY ("activationId") REFERENCES "CrisisActivation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CrisisRollCall_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CrisisRollCall" ("activationId", "answeredAt", "available", "id", "memberId") SELECT "activationId", "answeredAt", "available", "id", "memberId" FROM "CrisisRollCall";
DROP TABLE "CrisisRollCall";
ALTER TABLE "new_CrisisRollCall" RENAME TO "CrisisRollCall";
CREATE UNIQUE INDEX "CrisisRollCall_activationId_memberId_key" ON "CrisisRollCall"("activationId", "memberId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "CrisisAnswerToken_tokenHash_key" ON "CrisisAnswerToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "CrisisAnswerToken_activationId_memberId_key" ON "CrisisAnswerToken"("activationId", "memberId");
