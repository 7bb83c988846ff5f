-- CreateTable
CREATE TABLE "MemberImport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "content" BLOB,
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

-- CreateIndex
CREATE INDEX "MemberImport_cptsId_createdAt_idx" ON "MemberImport"("cptsId", "createdAt");
