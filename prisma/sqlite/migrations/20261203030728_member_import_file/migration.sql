-- CreateTable
CREATE TABLE "MemberImportFile" (
    "importId" TEXT NOT NULL PRIMARY KEY,
    "content" BLOB NOT NULL,
    CONSTRAINT "MemberImportFile_importId_fkey" FOREIGN KEY ("importId") REFERENCES "MemberImport" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Files of imports not finished yet move to their own table (hand-written: not in Prisma's diff)
INSERT INTO "MemberImportFile" ("importId", "content") SELECT "id", "content" FROM "MemberImport" WHERE "content" IS NOT NULL;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MemberImport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'auto',
    "mapping" TEXT,
    "state" TEXT NOT NULL DEFAULT 'ANALYSE',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "preview" TEXT,
    "result" TEXT,
    "report" TEXT,
    "error" TEXT,
    "heartbeatAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MemberImport_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MemberImport" ("cptsId", "createdAt", "createdBy", "done", "error", "fileName", "fileSize", "format", "heartbeatAt", "id", "mapping", "preview", "report", "result", "state", "total", "updatedAt") SELECT "cptsId", "createdAt", "createdBy", "done", "error", "fileName", "fileSize", "format", "heartbeatAt", "id", "mapping", "preview", "report", "result", "state", "total", "updatedAt" FROM "MemberImport";
DROP TABLE "MemberImport";
ALTER TABLE "new_MemberImport" RENAME TO "MemberImport";
CREATE INDEX "MemberImport_cptsId_createdAt_idx" ON "MemberImport"("cptsId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
