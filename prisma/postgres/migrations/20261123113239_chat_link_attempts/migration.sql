-- AlterTable
ALTER TABLE "ChatIdentity" ADD COLUMN     "linkAttempts" INTEGER NOT NULL DEFAULT 0;
