-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "representsCptsId" TEXT;

-- AlterTable
ALTER TABLE "CrisisActivation" ADD COLUMN     "exercise" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reminderAfterMinutes" INTEGER,
ADD COLUMN     "reminderSentAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "CrisisRollCall" ADD COLUMN     "via" TEXT NOT NULL DEFAULT 'chat';

-- CreateTable
CREATE TABLE "CrisisAnswerToken" (
    "id" TEXT NOT NULL,
    "activationId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrisisAnswerToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CrisisAnswerToken_tokenHash_key" ON "CrisisAnswerToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "CrisisAnswerToken_activationId_memberId_key" ON "CrisisAnswerToken"("activationId", "memberId");

-- CreateIndex
CREATE INDEX "CrisisActivation_reminderSentAt_closedOn_idx" ON "CrisisActivation"("reminderSentAt", "closedOn");

-- AddForeignKey
ALTER TABLE "CrisisAnswerToken" ADD CONSTRAINT "CrisisAnswerToken_activationId_fkey" FOREIGN KEY ("activationId") REFERENCES "CrisisActivation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
