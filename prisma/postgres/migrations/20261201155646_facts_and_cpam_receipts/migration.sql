-- CreateTable
CREATE TABLE "CptsFact" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredOn" TEXT NOT NULL,
    "amountCents" INTEGER,
    "detail" TEXT,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CptsFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CpamReceipt" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "receivedOn" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "lines" TEXT NOT NULL DEFAULT '',
    "note" TEXT,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CpamReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CptsFact_cptsId_kind_idx" ON "CptsFact"("cptsId", "kind");

-- CreateIndex
CREATE INDEX "CpamReceipt_cptsId_receivedOn_idx" ON "CpamReceipt"("cptsId", "receivedOn");

-- AddForeignKey
ALTER TABLE "CptsFact" ADD CONSTRAINT "CptsFact_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpamReceipt" ADD CONSTRAINT "CpamReceipt_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
