-- CreateIndex
CREATE INDEX "DuesPayment_cptsId_year_paidOn_memberId_idx" ON "DuesPayment"("cptsId", "year", "paidOn", "memberId");

-- CreateIndex
CREATE INDEX "DuesPayment_cptsId_year_refundedOn_memberId_idx" ON "DuesPayment"("cptsId", "year", "refundedOn", "memberId");
