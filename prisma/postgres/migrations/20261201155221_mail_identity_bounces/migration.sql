-- AlterTable
ALTER TABLE "Cpts" ADD COLUMN     "mailReplyTo" TEXT,
ADD COLUMN     "mailSenderName" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "emailComplainedAt" TIMESTAMP(3),
ADD COLUMN     "softBounces" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "bodyReducedAt" TIMESTAMP(3);
