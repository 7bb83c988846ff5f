-- DropIndex
DROP INDEX "DuesPayment_cptsId_year_idx";

-- DropIndex
DROP INDEX "DuesPayment_memberId_year_idx";

-- CreateIndex
CREATE INDEX "Member_cptsId_lastName_organization_firstName_idx" ON "Member"("cptsId", "lastName", "organization", "firstName");

-- CreateIndex
CREATE INDEX "Member_cptsId_status_category_duesExempt_idx" ON "Member"("cptsId", "status", "category", "duesExempt");

-- CreateIndex
CREATE INDEX "DuesPayment_cptsId_year_memberId_amountCents_paidOn_refunde_idx" ON "DuesPayment"("cptsId", "year", "memberId", "amountCents", "paidOn", "refundedOn");

-- CreateIndex
CREATE INDEX "DuesPayment_memberId_year_amountCents_paidOn_refundedOn_idx" ON "DuesPayment"("memberId", "year", "amountCents", "paidOn", "refundedOn");

-- CreateIndex
CREATE INDEX "OutboxMessage_cptsId_createdAt_idx" ON "OutboxMessage"("cptsId", "createdAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_cptsId_state_createdAt_idx" ON "OutboxMessage"("cptsId", "state", "createdAt");
