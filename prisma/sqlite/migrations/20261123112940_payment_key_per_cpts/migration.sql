-- DropIndex
DROP INDEX "DuesPayment_source_externalId_key";

-- DropIndex
DROP INDEX "PendingPayment_source_externalId_key";

-- CreateIndex
CREATE UNIQUE INDEX "DuesPayment_cptsId_source_externalId_key" ON "DuesPayment"("cptsId", "source", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "PendingPayment_cptsId_source_externalId_key" ON "PendingPayment"("cptsId", "source", "externalId");
