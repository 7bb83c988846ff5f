-- DropIndex
DROP INDEX "Member_cptsId_status_category_duesExempt_idx";

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "duesFirstYear" INTEGER,
ADD COLUMN     "duesPaidCents" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "duesRole" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "duesYear" INTEGER,
ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "MemberDuesYear" (
    "memberId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "paidCents" INTEGER NOT NULL DEFAULT 0,
    "paidCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "MemberDuesYear_pkey" PRIMARY KEY ("memberId","year")
);

-- CreateIndex
CREATE INDEX "Member_cptsId_status_category_duesExempt_duesRole_duesYear__idx" ON "Member"("cptsId", "status", "category", "duesExempt", "duesRole", "duesYear", "duesFirstYear", "duesPaidCents", "profession", "lastName", "organization", "firstName", "id");

-- CreateIndex
CREATE INDEX "Member_cptsId_status_searchText_profession_communeInsee_id_idx" ON "Member"("cptsId", "status", "searchText", "profession", "communeInsee", "id");

-- AddForeignKey
ALTER TABLE "MemberDuesYear" ADD CONSTRAINT "MemberDuesYear_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Dues summary kept by triggers, in the transaction of every write (admin, chat, HelloAsso, CSV
-- import, refunds, erasure, raw inserts): MemberDuesYear holds each member's valid payments per
-- membership year (refunded ones excluded), Member.duesYear / duesFirstYear / duesPaidCents the
-- latest and earliest paid years, Member.duesRole whether a role owes dues, Member.searchText the
-- list's search text. The dues status itself stays judged at read time (member-list-repo.ts, checked
-- against rules/dues.ts): it depends on the year asked, so 1 January needs no job.

-- Backfill
INSERT INTO "MemberDuesYear" ("memberId", "year", "paidCents", "paidCount")
SELECT "memberId", "year", SUM("amountCents"), COUNT(*) FROM "DuesPayment" WHERE "amountCents" > 0 AND "refundedOn" IS NULL GROUP BY "memberId", "year";

CREATE FUNCTION coordo_member_dues_refresh(mid TEXT) RETURNS void LANGUAGE sql AS $$
  UPDATE "Member" SET
    "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = mid AND y."paidCount" > 0),
    "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = mid AND y."paidCount" > 0),
    "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = mid AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0)
  WHERE "id" = mid;
$$;

CREATE FUNCTION coordo_member_search_text("lastName" TEXT, "firstName" TEXT, email TEXT, organization TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT lower(COALESCE("lastName", '') || chr(10) || COALESCE("firstName", '') || chr(10) || COALESCE(email, '') || chr(10) || COALESCE(organization, ''));
$$;

UPDATE "Member" m SET
  "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = m."id" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')),
  "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = m."id" AND y."paidCount" > 0),
  "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = m."id" AND y."paidCount" > 0),
  "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = m."id" AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0),
  "searchText" = coordo_member_search_text(m."lastName", m."firstName", m."email", m."organization");

-- Payments
CREATE FUNCTION coordo_dues_payment_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."amountCents" > 0 AND OLD."refundedOn" IS NULL THEN
    UPDATE "MemberDuesYear" SET "paidCents" = "paidCents" - OLD."amountCents", "paidCount" = "paidCount" - 1
    WHERE "memberId" = OLD."memberId" AND "year" = OLD."year";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."amountCents" > 0 AND NEW."refundedOn" IS NULL THEN
    INSERT INTO "MemberDuesYear" ("memberId", "year", "paidCents", "paidCount") VALUES (NEW."memberId", NEW."year", NEW."amountCents", 1)
    ON CONFLICT ("memberId", "year") DO UPDATE SET "paidCents" = "MemberDuesYear"."paidCents" + EXCLUDED."paidCents", "paidCount" = "MemberDuesYear"."paidCount" + 1;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM coordo_member_dues_refresh(OLD."memberId"); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."memberId" IS DISTINCT FROM OLD."memberId") THEN PERFORM coordo_member_dues_refresh(NEW."memberId"); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "DuesPayment_summary" AFTER INSERT OR DELETE OR UPDATE OF "memberId", "year", "amountCents", "refundedOn" ON "DuesPayment"
FOR EACH ROW EXECUTE FUNCTION coordo_dues_payment_summary();

-- Roles that owe dues
CREATE FUNCTION coordo_member_role_dues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "Member" SET "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = OLD."memberId" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')) WHERE "id" = OLD."memberId";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Member" SET "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = NEW."memberId" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')) WHERE "id" = NEW."memberId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "MemberRole_dues" AFTER INSERT OR DELETE OR UPDATE OF "memberId", "role" ON "MemberRole"
FOR EACH ROW EXECUTE FUNCTION coordo_member_role_dues();

-- Search text
CREATE FUNCTION coordo_member_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchText" := coordo_member_search_text(NEW."lastName", NEW."firstName", NEW."email", NEW."organization");
  RETURN NEW;
END $$;

CREATE TRIGGER "Member_search" BEFORE INSERT OR UPDATE OF "lastName", "firstName", "email", "organization" ON "Member"
FOR EACH ROW EXECUTE FUNCTION coordo_member_search();
