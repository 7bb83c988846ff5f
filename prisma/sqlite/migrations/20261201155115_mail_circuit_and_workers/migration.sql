-- AlterTable
ALTER TABLE "Member" ADD COLUMN "emailInvalidReason" TEXT;

-- CreateTable
CREATE TABLE "MailCircuit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "open" BOOLEAN NOT NULL DEFAULT false,
    "openedAt" DATETIME,
    "reason" TEXT,
    "probes" INTEGER NOT NULL DEFAULT 0,
    "nextProbeAt" DATETIME,
    "closedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MailWorker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "bootId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL
);
