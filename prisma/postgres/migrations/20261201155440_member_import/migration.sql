-- CreateEnum
CREATE TYPE "MemberImportState" AS ENUM ('ANALYSE', 'APERCU', 'EN_COURS', 'TERMINE', 'ECHEC');

-- CreateTable
CREATE TABLE "MemberImport" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "content" BYTEA,
    "format" TEXT NOT NULL DEFAULT 'auto',
    "mapping" TEXT,
    "state" "MemberImportState" NOT NULL DEFAULT 'ANALYSE',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "preview" TEXT,
    "result" TEXT,
    "report" TEXT,
    "error" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MemberImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MemberImport_cptsId_createdAt_idx" ON "MemberImport"("cptsId", "createdAt");

-- AddForeignKey
ALTER TABLE "MemberImport" ADD CONSTRAINT "MemberImport_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
