-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "emailInvalidReason" TEXT;

-- CreateTable
CREATE TABLE "MailCircuit" (
    "id" TEXT NOT NULL,
    "open" BOOLEAN NOT NULL DEFAULT false,
    "openedAt" TIMESTAMP(3),
    "reason" TEXT,
    "probes" INTEGER NOT NULL DEFAULT 0,
    "nextProbeAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailCircuit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailWorker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "bootId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailWorker_pkey" PRIMARY KEY ("id")
);
