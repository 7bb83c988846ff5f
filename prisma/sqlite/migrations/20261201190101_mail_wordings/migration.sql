-- CreateTable
CREATE TABLE "MailWording" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "subject" TEXT,
    "body" TEXT,
    "author" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MailWording_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "MailWording_cptsId_key_version_key" ON "MailWording"("cptsId", "key", "version");
