-- CreateTable
CREATE TABLE "CptsFact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredOn" TEXT NOT NULL,
    "amountCents" INTEGER,
    "detail" TEXT,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CptsFact_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CpamReceipt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cptsId" TEXT NOT NULL,
    "receivedOn" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "lines" TEXT NOT NULL DEFAULT '',
    "note" TEXT,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CpamReceipt_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CptsFact_cptsId_kind_idx" ON "CptsFact"("cptsId", "kind");

-- CreateIndex
CREATE INDEX "CpamReceipt_cptsId_receivedOn_idx" ON "CpamReceipt"("cptsId", "receivedOn");
