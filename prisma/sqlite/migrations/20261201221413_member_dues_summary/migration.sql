-- CreateTable
CREATE TABLE "MemberDuesYear" (
    "memberId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "paidCents" INTEGER NOT NULL DEFAULT 0,
    "paidCount" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("memberId", "year"),
    CONSTRAINT "MemberDuesYear_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Member: new columns and indexes added in place. Not the table redefinition `migrate diff` writes:
-- the migrations run inside a transaction, where PRAGMA foreign_keys=OFF has no effect, so dropping
-- the old "Member" table would cascade-delete every member's roles, payments, consents...
DROP INDEX "Member_cptsId_status_category_duesExempt_idx";
ALTER TABLE "Member" ADD COLUMN "duesRole" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Member" ADD COLUMN "duesYear" INTEGER;
ALTER TABLE "Member" ADD COLUMN "duesFirstYear" INTEGER;
ALTER TABLE "Member" ADD COLUMN "duesPaidCents" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Member" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';
CREATE INDEX "Member_cptsId_status_category_duesExempt_duesRole_duesYear_duesFirstYear_duesPaidCents_profession_lastName_organization_firstName_id_idx" ON "Member"("cptsId", "status", "category", "duesExempt", "duesRole", "duesYear", "duesFirstYear", "duesPaidCents", "profession", "lastName", "organization", "firstName", "id");
CREATE INDEX "Member_cptsId_status_searchText_profession_communeInsee_id_idx" ON "Member"("cptsId", "status", "searchText", "profession", "communeInsee", "id");

-- Dues summary kept by triggers, in the transaction of every write (admin, chat, HelloAsso, CSV
-- import, refunds, erasure, raw inserts): MemberDuesYear holds each member's valid payments per
-- membership year (refunded ones excluded), Member.duesYear / duesFirstYear / duesPaidCents the
-- latest and earliest paid years, Member.duesRole whether a role owes dues, Member.searchText the
-- list's search text. The dues status itself stays judged at read time (member-list-repo.ts, checked
-- against rules/dues.ts): it depends on the year asked, so 1 January needs no job.
-- NOTE: SQLite drops a table's triggers with the table; a later migration that redefines Member,
-- DuesPayment or MemberRole must create these triggers again (tests/integration/dues-summary.test.ts fails otherwise).

-- Backfill
INSERT INTO "MemberDuesYear" ("memberId", "year", "paidCents", "paidCount")
SELECT "memberId", "year", SUM("amountCents"), COUNT(*) FROM "DuesPayment" WHERE "amountCents" > 0 AND "refundedOn" IS NULL GROUP BY "memberId", "year";
UPDATE "Member" SET
  "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = "Member"."id" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')),
  "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0),
  "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0),
  "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0),
  "searchText" = lower(COALESCE("lastName", '') || char(10) || COALESCE("firstName", '') || char(10) || COALESCE("email", '') || char(10) || COALESCE("organization", ''));

-- Payments
CREATE TRIGGER "DuesPayment_summary_insert" AFTER INSERT ON "DuesPayment"
WHEN NEW."amountCents" > 0 AND NEW."refundedOn" IS NULL
BEGIN
  INSERT OR IGNORE INTO "MemberDuesYear" ("memberId", "year") VALUES (NEW."memberId", NEW."year");
  UPDATE "MemberDuesYear" SET "paidCents" = "paidCents" + NEW."amountCents", "paidCount" = "paidCount" + 1 WHERE "memberId" = NEW."memberId" AND "year" = NEW."year";
  UPDATE "Member" SET
    "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = NEW."memberId" AND y."paidCount" > 0),
    "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = NEW."memberId" AND y."paidCount" > 0),
    "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = NEW."memberId" AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0)
  WHERE "id" = NEW."memberId";
END;

CREATE TRIGGER "DuesPayment_summary_delete" AFTER DELETE ON "DuesPayment"
WHEN OLD."amountCents" > 0 AND OLD."refundedOn" IS NULL
BEGIN
  UPDATE "MemberDuesYear" SET "paidCents" = "paidCents" - OLD."amountCents", "paidCount" = "paidCount" - 1 WHERE "memberId" = OLD."memberId" AND "year" = OLD."year";
  UPDATE "Member" SET
    "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = OLD."memberId" AND y."paidCount" > 0),
    "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = OLD."memberId" AND y."paidCount" > 0),
    "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = OLD."memberId" AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0)
  WHERE "id" = OLD."memberId";
END;

CREATE TRIGGER "DuesPayment_summary_update" AFTER UPDATE OF "memberId", "year", "amountCents", "refundedOn" ON "DuesPayment"
BEGIN
  UPDATE "MemberDuesYear" SET "paidCents" = "paidCents" - OLD."amountCents", "paidCount" = "paidCount" - 1
  WHERE "memberId" = OLD."memberId" AND "year" = OLD."year" AND OLD."amountCents" > 0 AND OLD."refundedOn" IS NULL;
  INSERT OR IGNORE INTO "MemberDuesYear" ("memberId", "year") SELECT NEW."memberId", NEW."year" WHERE NEW."amountCents" > 0 AND NEW."refundedOn" IS NULL;
  UPDATE "MemberDuesYear" SET "paidCents" = "paidCents" + NEW."amountCents", "paidCount" = "paidCount" + 1
  WHERE "memberId" = NEW."memberId" AND "year" = NEW."year" AND NEW."amountCents" > 0 AND NEW."refundedOn" IS NULL;
  UPDATE "Member" SET
    "duesYear" = (SELECT MAX(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0),
    "duesFirstYear" = (SELECT MIN(y."year") FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0),
    "duesPaidCents" = COALESCE((SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = "Member"."id" AND y."paidCount" > 0 ORDER BY y."year" DESC LIMIT 1), 0)
  WHERE "id" IN (OLD."memberId", NEW."memberId");
END;

-- Roles that owe dues
CREATE TRIGGER "MemberRole_dues_insert" AFTER INSERT ON "MemberRole"
BEGIN
  UPDATE "Member" SET "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = NEW."memberId" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')) WHERE "id" = NEW."memberId";
END;

CREATE TRIGGER "MemberRole_dues_delete" AFTER DELETE ON "MemberRole"
BEGIN
  UPDATE "Member" SET "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = OLD."memberId" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')) WHERE "id" = OLD."memberId";
END;

CREATE TRIGGER "MemberRole_dues_update" AFTER UPDATE OF "memberId", "role" ON "MemberRole"
BEGIN
  UPDATE "Member" SET "duesRole" = EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = "Member"."id" AND r."role" IN ('ADHERENT', 'CA', 'BUREAU')) WHERE "id" IN (OLD."memberId", NEW."memberId");
END;

-- Search text
CREATE TRIGGER "Member_search_insert" AFTER INSERT ON "Member"
BEGIN
  UPDATE "Member" SET "searchText" = lower(COALESCE(NEW."lastName", '') || char(10) || COALESCE(NEW."firstName", '') || char(10) || COALESCE(NEW."email", '') || char(10) || COALESCE(NEW."organization", '')) WHERE "id" = NEW."id";
END;

CREATE TRIGGER "Member_search_update" AFTER UPDATE OF "lastName", "firstName", "email", "organization" ON "Member"
BEGIN
  UPDATE "Member" SET "searchText" = lower(COALESCE(NEW."lastName", '') || char(10) || COALESCE(NEW."firstName", '') || char(10) || COALESCE(NEW."email", '') || char(10) || COALESCE(NEW."organization", '')) WHERE "id" = NEW."id";
END;
