-- DropIndex
DROP INDEX "Member_cptsId_lastName_organization_firstName_idx";

-- CreateIndex
CREATE INDEX "Member_cptsId_lastName_organization_firstName_id_status_idx" ON "Member"("cptsId", "lastName", "organization", "firstName", "id", "status");
