-- CreateIndex
CREATE INDEX "Member_cptsId_status_category_kind_duesExempt_duesYear_duesFirstYear_duesPaidCents_joinedOn_id_idx" ON "Member"("cptsId", "status", "category", "kind", "duesExempt", "duesYear", "duesFirstYear", "duesPaidCents", "joinedOn", "id");

-- CreateIndex
CREATE INDEX "MemberRole_role_memberId_idx" ON "MemberRole"("role", "memberId");
