-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ChatIdentity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "displayName" TEXT,
    "memberId" TEXT,
    "linkCode" TEXT,
    "linkEmail" TEXT,
    "linkExpires" DATETIME,
    "linkAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ChatIdentity_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "ChatWorkspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ChatIdentity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ChatIdentity" ("createdAt", "displayName", "id", "linkCode", "linkEmail", "linkExpires", "memberId", "userId", "workspaceId") SELECT "createdAt", "displayName", "id", "linkCode", "linkEmail", "linkExpires", "memberId", "userId", "workspaceId" FROM "ChatIdentity";
DROP TABLE "ChatIdentity";
ALTER TABLE "new_ChatIdentity" RENAME TO "ChatIdentity";
CREATE UNIQUE INDEX "ChatIdentity_workspaceId_userId_key" ON "ChatIdentity"("workspaceId", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
