-- CreateTable
CREATE TABLE "MemberImportFile" (
    "importId" TEXT NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "MemberImportFile_pkey" PRIMARY KEY ("importId")
);

-- Files of imports not finished yet move to their own table (hand-written: not in Prisma's diff)
INSERT INTO "MemberImportFile" ("importId", "content") SELECT "id", "content" FROM "MemberImport" WHERE "content" IS NOT NULL;

-- AlterTable
ALTER TABLE "MemberImport" DROP COLUMN "content";

-- AddForeignKey
ALTER TABLE "MemberImportFile" ADD CONSTRAINT "MemberImportFile_importId_fkey" FOREIGN KEY ("importId") REFERENCES "MemberImport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
