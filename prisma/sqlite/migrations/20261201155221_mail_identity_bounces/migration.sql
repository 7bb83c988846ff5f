-- AlterTable
ALTER TABLE "Cpts" ADD COLUMN "mailReplyTo" TEXT;
ALTER TABLE "Cpts" ADD COLUMN "mailSenderName" TEXT;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "bodyReducedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Member" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'PHYSIQUE',
    "category" TEXT NOT NULL DEFAULT 'PROFESSIONNEL',
    "status" TEXT NOT NULL DEFAULT 'ACTIF',
    "firstName" TEXT,
    "lastName" TEXT,
    "organization" TEXT,
    "profession" TEXT,
    "communeInsee" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "rpps" TEXT,
    "duesExempt" BOOLEAN NOT NULL DEFAULT false,
    "joinedOn" TEXT,
    "emailInvalid" BOOLEAN NOT NULL DEFAULT false,
    "emailInvalidAt" DATETIME,
    "emailInvalidReason" TEXT,
    "softBounces" INTEGER NOT NULL DEFAULT 0,
    "emailComplainedAt" DATETIME,
    "prefNewsletter" BOOLEAN NOT NULL DEFAULT true,
    "prefDuesReminders" BOOLEAN NOT NULL DEFAULT true,
    "prefAlerts" BOOLEAN NOT NULL DEFAULT true,
    "unsubscribeToken" TEXT NOT NULL,
    "archivedAt" DATETIME,
    "erasedAt" DATETIME,
    "representsCptsId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Member_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("archivedAt", "category", "communeInsee", "cptsId", "createdAt", "duesExempt", "email", "emailInvalid", "emailInvalidAt", "emailInvalidReason", "erasedAt", "firstName", "id", "joinedOn", "kind", "lastName", "organization", "phone", "prefAlerts", "prefDuesReminders", "prefNewsletter", "profession", "representsCptsId", "rpps", "status", "unsubscribeToken", "updatedAt") SELECT "archivedAt", "category", "communeInsee", "cptsId", "createdAt", "duesExempt", "email", "emailInvalid", "emailInvalidAt", "emailInvalidReason", "erasedAt", "firstName", "id", "joinedOn", "kind", "lastName", "organization", "phone", "prefAlerts", "prefDuesReminders", "prefNewsletter", "profession", "representsCptsId", "rpps", "status", "unsubscribeToken", "updatedAt" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE UNIQUE INDEX "Member_unsubscribeToken_key" ON "Member"("unsubscribeToken");
CREATE INDEX "Member_cptsId_status_idx" ON "Member"("cptsId", "status");
CREATE INDEX "Member_cptsId_profession_idx" ON "Member"("cptsId", "profession");
CREATE UNIQUE INDEX "Member_cptsId_email_key" ON "Member"("cptsId", "email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
