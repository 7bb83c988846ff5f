-- DropIndex
DROP INDEX "CrisisAnswerToken_activationId_memberId_key";

-- CreateIndex
CREATE INDEX "CrisisAnswerToken_activationId_memberId_idx" ON "CrisisAnswerToken"("activationId", "memberId");
