-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "LifecycleStage" AS ENUM ('DYNAMIQUE_IDENTIFIEE', 'LETTRE_INTENTION_VALIDEE', 'ASSOCIATION_CREEE', 'PROJET_SANTE_VALIDE', 'ACI_SIGNE');

-- CreateEnum
CREATE TYPE "CptsKind" AS ENUM ('CPTS', 'INTER_CPTS');

-- CreateEnum
CREATE TYPE "NewsletterCadence" AS ENUM ('MENSUELLE', 'TRIMESTRIELLE', 'SEMESTRIELLE', 'AUCUNE');

-- CreateEnum
CREATE TYPE "PersonKind" AS ENUM ('PHYSIQUE', 'MORALE');

-- CreateEnum
CREATE TYPE "MembershipCategory" AS ENUM ('PROFESSIONNEL', 'STRUCTURE', 'PARTENAIRE');

-- CreateEnum
CREATE TYPE "MemberStatus" AS ENUM ('ACTIF', 'CANDIDAT', 'NON_ADHERENT', 'ARCHIVE', 'EFFACE');

-- CreateEnum
CREATE TYPE "RoleKind" AS ENUM ('ADHERENT', 'CA', 'BUREAU', 'COORDONNATEUR', 'PARTENAIRE');

-- CreateEnum
CREATE TYPE "BureauOffice" AS ENUM ('PRESIDENT', 'VICE_PRESIDENT', 'TRESORIER', 'SECRETAIRE', 'MEMBRE');

-- CreateEnum
CREATE TYPE "ChatPlatform" AS ENUM ('DISCORD', 'SLACK', 'CONSOLE');

-- CreateEnum
CREATE TYPE "PaymentSource" AS ENUM ('MANUEL', 'HELLOASSO', 'CSV', 'YAPLA', 'STRIPE');

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('VIREMENT', 'CARTE', 'CHEQUE', 'ESPECES', 'AUTRE');

-- CreateEnum
CREATE TYPE "MissionKind" AS ENUM ('ACCES_SOINS', 'PARCOURS', 'PREVENTION', 'CRISE', 'QUALITE', 'ACCOMPAGNEMENT');

-- CreateEnum
CREATE TYPE "IndicatorScope" AS ENUM ('NATIONAL', 'LOCAL');

-- CreateEnum
CREATE TYPE "IndicatorKind" AS ENUM ('RESULTAT', 'SUIVI');

-- CreateEnum
CREATE TYPE "IndicatorProducer" AS ENUM ('CPAM', 'CPTS');

-- CreateEnum
CREATE TYPE "CrisisSectionKind" AS ENUM ('ANTICIPER', 'ADAPTER', 'ACTIVER_PILOTER', 'EVALUER', 'SITUATION_BLESSES', 'SITUATION_MALADES', 'SITUATION_AGENT_INFECTIEUX', 'SITUATION_NRC', 'SITUATION_OFFRE_DEGRADEE');

-- CreateEnum
CREATE TYPE "CrisisSituation" AS ENUM ('BLESSES', 'MALADES', 'AGENT_INFECTIEUX', 'NRC', 'OFFRE_DEGRADEE');

-- CreateEnum
CREATE TYPE "NewsletterState" AS ENUM ('BROUILLON', 'PROGRAMMEE', 'EN_COURS', 'ENVOYEE', 'ANNULEE');

-- CreateEnum
CREATE TYPE "NewsletterAudience" AS ENUM ('ADHERENTS', 'PROFESSIONS', 'TERRITOIRE', 'FEDERATION');

-- CreateEnum
CREATE TYPE "OutboxChannel" AS ENUM ('MAIL', 'CHAT');

-- CreateEnum
CREATE TYPE "OutboxState" AS ENUM ('EN_ATTENTE', 'EN_COURS', 'ENVOYE', 'CAPTURE', 'ECHEC_TEMPORAIRE', 'ECHEC', 'ANNULE');

-- CreateEnum
CREATE TYPE "IndemnityUnit" AS ENUM ('HEURE', 'DEMI_JOURNEE', 'FORFAIT');

-- CreateEnum
CREATE TYPE "VoteState" AS ENUM ('BROUILLON', 'OUVERT', 'CLOS', 'PURGE');

-- CreateEnum
CREATE TYPE "JobRunState" AS ENUM ('EN_COURS', 'TERMINE', 'ECHEC');

-- CreateEnum
CREATE TYPE "AdminRole" AS ENUM ('COORDONNATEUR', 'BUREAU');

-- CreateTable
CREATE TABLE "Cpts" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "CptsKind" NOT NULL DEFAULT 'CPTS',
    "population" INTEGER NOT NULL,
    "stage" "LifecycleStage" NOT NULL DEFAULT 'DYNAMIQUE_IDENTIFIEE',
    "departments" TEXT NOT NULL DEFAULT '',
    "address" TEXT,
    "contactEmail" TEXT,
    "paymentLink" TEXT,
    "paymentInstructions" TEXT,
    "newsletterCadence" "NewsletterCadence" NOT NULL DEFAULT 'TRIMESTRIELLE',
    "alertChannelId" TEXT,
    "agMonthDay" TEXT NOT NULL DEFAULT '06-30',
    "projetSanteFiledOn" TEXT,
    "missionPrecoceAidOn" TEXT,
    "icalToken" TEXT NOT NULL,
    "helloassoToken" TEXT NOT NULL,
    "settings" JSONB,
    "parentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cpts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Commune" (
    "id" TEXT NOT NULL,
    "inseeCode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "postalCode" TEXT,
    "population" INTEGER,
    "cptsId" TEXT NOT NULL,

    CONSTRAINT "Commune_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "kind" "PersonKind" NOT NULL DEFAULT 'PHYSIQUE',
    "category" "MembershipCategory" NOT NULL DEFAULT 'PROFESSIONNEL',
    "status" "MemberStatus" NOT NULL DEFAULT 'ACTIF',
    "firstName" TEXT,
    "lastName" TEXT,
    "organization" TEXT,
    "profession" TEXT,
    "communeInsee" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "rpps" TEXT,
    "duesExempt" BOOLEAN NOT NULL DEFAULT false,
    "joinedOn" TEXT,
    "emailInvalid" BOOLEAN NOT NULL DEFAULT false,
    "emailInvalidAt" TIMESTAMP(3),
    "prefNewsletter" BOOLEAN NOT NULL DEFAULT true,
    "prefDuesReminders" BOOLEAN NOT NULL DEFAULT true,
    "prefAlerts" BOOLEAN NOT NULL DEFAULT true,
    "unsubscribeToken" TEXT NOT NULL,
    "archivedAt" TIMESTAMP(3),
    "erasedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemberRole" (
    "id" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "role" "RoleKind" NOT NULL,
    "office" "BureauOffice",
    "since" TEXT,
    "until" TEXT,

    CONSTRAINT "MemberRole_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentRecord" (
    "id" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "textVersion" TEXT NOT NULL,
    "given" BOOLEAN NOT NULL DEFAULT true,
    "channel" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatWorkspace" (
    "id" TEXT NOT NULL,
    "platform" "ChatPlatform" NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT,
    "cptsId" TEXT NOT NULL,
    "alertChannelId" TEXT,
    "commandsHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatWorkspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatIdentity" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "displayName" TEXT,
    "memberId" TEXT,
    "linkCode" TEXT,
    "linkEmail" TEXT,
    "linkExpires" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatInteraction" (
    "id" TEXT NOT NULL,
    "platform" "ChatPlatform" NOT NULL,
    "externalId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatInteraction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatAction" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdBy" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DuesRate" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "category" "MembershipCategory" NOT NULL,
    "amountCents" INTEGER NOT NULL,

    CONSTRAINT "DuesRate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DuesPayment" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "paidOn" TEXT NOT NULL,
    "source" "PaymentSource" NOT NULL DEFAULT 'MANUEL',
    "method" "PaymentMethod" NOT NULL DEFAULT 'VIREMENT',
    "externalId" TEXT,
    "refundedOn" TEXT,
    "recordedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DuesPayment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingPayment" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "source" "PaymentSource" NOT NULL,
    "externalId" TEXT NOT NULL,
    "payerName" TEXT,
    "payerEmail" TEXT,
    "amountCents" INTEGER NOT NULL,
    "paidOn" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "payload" JSONB,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingPayment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReminderPolicy" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "offsetsDays" TEXT NOT NULL DEFAULT '15,45,90',
    "maxCount" INTEGER NOT NULL DEFAULT 3,

    CONSTRAINT "ReminderPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReminderLedger" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL DEFAULT 'job',
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReminderLedger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AciContract" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "signedOn" TEXT NOT NULL,
    "sizeAtSigning" INTEGER NOT NULL,
    "tariff" TEXT NOT NULL DEFAULT 'avenant2',
    "terminatedOn" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AciContract_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AciAmendment" (
    "id" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "effectiveOn" TEXT NOT NULL,
    "population" INTEGER,
    "size" INTEGER,
    "description" TEXT NOT NULL,

    CONSTRAINT "AciAmendment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AciMission" (
    "id" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "kind" "MissionKind" NOT NULL,
    "contracted" BOOLEAN NOT NULL DEFAULT true,
    "startOn" TEXT,
    "deployedOn" TEXT,
    "startDueOn" TEXT,
    "deployDueOn" TEXT,

    CONSTRAINT "AciMission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AciIndicator" (
    "id" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "scope" "IndicatorScope" NOT NULL,
    "kind" "IndicatorKind" NOT NULL,
    "producer" "IndicatorProducer" NOT NULL,
    "target" DOUBLE PRECISION,
    "weight" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "AciIndicator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AciIndicatorMission" (
    "indicatorId" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,

    CONSTRAINT "AciIndicatorMission_pkey" PRIMARY KEY ("indicatorId","missionId")
);

-- CreateTable
CREATE TABLE "AciIndicatorResult" (
    "id" TEXT NOT NULL,
    "indicatorId" TEXT NOT NULL,
    "contractYear" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "recordedOn" TEXT NOT NULL,

    CONSTRAINT "AciIndicatorResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MissionEnvelope" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "mission" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "allocatedCents" INTEGER NOT NULL,
    "carriedOverCents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "MissionEnvelope_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnvelopeExpense" (
    "id" TEXT NOT NULL,
    "envelopeId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "spentOn" TEXT NOT NULL,
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "indemnityId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnvelopeExpense_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subsidy" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "funder" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "agreementSigned" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Subsidy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeadlineState" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "doneOn" TEXT,
    "doneBy" TEXT,
    "note" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeadlineState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeadlineAlert" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "alertOn" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeadlineAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GovernanceChange" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "changedOn" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "declaredOn" TEXT,

    CONSTRAINT "GovernanceChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrisisPlanVersion" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "adoptedOn" TEXT,
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrisisPlanVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrisisPlanSection" (
    "id" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "kind" "CrisisSectionKind" NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT,

    CONSTRAINT "CrisisPlanSection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrisisPlanReview" (
    "id" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "reviewerId" TEXT,
    "reviewedOn" TEXT NOT NULL,
    "comment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrisisPlanReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrisisActivation" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "situation" "CrisisSituation" NOT NULL,
    "description" TEXT,
    "grave" BOOLEAN NOT NULL DEFAULT true,
    "activatedOn" TEXT NOT NULL,
    "activatedBy" TEXT,
    "closedOn" TEXT,
    "feedback" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrisisActivation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrisisRollCall" (
    "id" TEXT NOT NULL,
    "activationId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "available" BOOLEAN NOT NULL,
    "answeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrisisRollCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Newsletter" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "template" TEXT NOT NULL DEFAULT 'newsletter',
    "audience" "NewsletterAudience" NOT NULL DEFAULT 'ADHERENTS',
    "professions" TEXT NOT NULL DEFAULT '',
    "state" "NewsletterState" NOT NULL DEFAULT 'BROUILLON',
    "scheduledAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "createdBy" TEXT,
    "recipientCount" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Newsletter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "channel" "OutboxChannel" NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "memberId" TEXT,
    "subject" TEXT,
    "bodyText" TEXT NOT NULL,
    "bodyHtml" TEXT,
    "headers" JSONB,
    "state" "OutboxState" NOT NULL DEFAULT 'EN_ATTENTE',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lockedBy" TEXT,
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "providerId" TEXT,
    "refType" TEXT,
    "refId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Meeting" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "mission" TEXT NOT NULL,
    "heldOn" TEXT NOT NULL,
    "durationMin" INTEGER NOT NULL,
    "openedBy" TEXT,
    "closedAt" TIMESTAMP(3),
    "chatChannel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Meeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attendance" (
    "id" TEXT NOT NULL,
    "meetingId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "via" TEXT NOT NULL DEFAULT 'chat',
    "minutes" INTEGER,

    CONSTRAINT "Attendance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndemnityRule" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "validFrom" TEXT NOT NULL,
    "unit" "IndemnityUnit" NOT NULL,
    "professionGroup" TEXT NOT NULL DEFAULT '*',
    "role" TEXT,
    "rateCents" INTEGER NOT NULL,
    "capPerYearCents" INTEGER,

    CONSTRAINT "IndemnityRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Indemnity" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "meetingId" TEXT,
    "mission" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "computedOn" TEXT NOT NULL,
    "explanation" TEXT NOT NULL,
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Indemnity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vote" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "options" JSONB NOT NULL,
    "secret" BOOLEAN NOT NULL DEFAULT true,
    "opensAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "eligibilityCutoff" TEXT NOT NULL,
    "quorumPercent" INTEGER NOT NULL DEFAULT 0,
    "maxProxiesPerHolder" INTEGER NOT NULL DEFAULT 2,
    "federation" BOOLEAN NOT NULL DEFAULT false,
    "state" "VoteState" NOT NULL DEFAULT 'OUVERT',
    "results" JSONB,
    "purgeAfterDays" INTEGER NOT NULL DEFAULT 90,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VoteParticipation" (
    "id" TEXT NOT NULL,
    "voteId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "viaProxyOf" TEXT,
    "college" TEXT NOT NULL DEFAULT 'deliberatif',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VoteParticipation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VoteBallot" (
    "id" TEXT NOT NULL,
    "voteId" TEXT NOT NULL,
    "choice" TEXT NOT NULL,
    "college" TEXT NOT NULL DEFAULT 'deliberatif',
    "voterId" TEXT,

    CONSTRAINT "VoteBallot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VoteProxy" (
    "id" TEXT NOT NULL,
    "voteId" TEXT NOT NULL,
    "giverId" TEXT NOT NULL,
    "holderId" TEXT NOT NULL,

    CONSTRAINT "VoteProxy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "state" "JobRunState" NOT NULL DEFAULT 'EN_COURS',
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "counts" JSONB,
    "error" TEXT,
    "host" TEXT,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "details" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminUser" (
    "id" TEXT NOT NULL,
    "cptsId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "AdminRole" NOT NULL,
    "memberId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "AdminUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoginAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cpts_slug_key" ON "Cpts"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Cpts_icalToken_key" ON "Cpts"("icalToken");

-- CreateIndex
CREATE UNIQUE INDEX "Cpts_helloassoToken_key" ON "Cpts"("helloassoToken");

-- CreateIndex
CREATE UNIQUE INDEX "Commune_inseeCode_key" ON "Commune"("inseeCode");

-- CreateIndex
CREATE INDEX "Commune_cptsId_idx" ON "Commune"("cptsId");

-- CreateIndex
CREATE UNIQUE INDEX "Member_unsubscribeToken_key" ON "Member"("unsubscribeToken");

-- CreateIndex
CREATE INDEX "Member_cptsId_status_idx" ON "Member"("cptsId", "status");

-- CreateIndex
CREATE INDEX "Member_cptsId_profession_idx" ON "Member"("cptsId", "profession");

-- CreateIndex
CREATE UNIQUE INDEX "Member_cptsId_email_key" ON "Member"("cptsId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "MemberRole_memberId_role_key" ON "MemberRole"("memberId", "role");

-- CreateIndex
CREATE INDEX "ConsentRecord_memberId_idx" ON "ConsentRecord"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "ChatWorkspace_platform_externalId_key" ON "ChatWorkspace"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "ChatIdentity_workspaceId_userId_key" ON "ChatIdentity"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "ChatInteraction_platform_externalId_key" ON "ChatInteraction"("platform", "externalId");

-- CreateIndex
CREATE INDEX "ChatAction_cptsId_kind_idx" ON "ChatAction"("cptsId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "DuesRate_cptsId_year_category_key" ON "DuesRate"("cptsId", "year", "category");

-- CreateIndex
CREATE INDEX "DuesPayment_cptsId_year_idx" ON "DuesPayment"("cptsId", "year");

-- CreateIndex
CREATE INDEX "DuesPayment_memberId_year_idx" ON "DuesPayment"("memberId", "year");

-- CreateIndex
CREATE UNIQUE INDEX "DuesPayment_source_externalId_key" ON "DuesPayment"("source", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "PendingPayment_source_externalId_key" ON "PendingPayment"("source", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "ReminderPolicy_cptsId_key" ON "ReminderPolicy"("cptsId");

-- CreateIndex
CREATE INDEX "ReminderLedger_cptsId_year_idx" ON "ReminderLedger"("cptsId", "year");

-- CreateIndex
CREATE UNIQUE INDEX "ReminderLedger_memberId_year_step_key" ON "ReminderLedger"("memberId", "year", "step");

-- CreateIndex
CREATE INDEX "AciContract_cptsId_idx" ON "AciContract"("cptsId");

-- CreateIndex
CREATE UNIQUE INDEX "AciMission_contractId_kind_key" ON "AciMission"("contractId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "AciIndicator_contractId_code_key" ON "AciIndicator"("contractId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "AciIndicatorResult_indicatorId_contractYear_key" ON "AciIndicatorResult"("indicatorId", "contractYear");

-- CreateIndex
CREATE UNIQUE INDEX "MissionEnvelope_cptsId_mission_year_key" ON "MissionEnvelope"("cptsId", "mission", "year");

-- CreateIndex
CREATE UNIQUE INDEX "EnvelopeExpense_indemnityId_key" ON "EnvelopeExpense"("indemnityId");

-- CreateIndex
CREATE UNIQUE INDEX "DeadlineState_cptsId_key_key" ON "DeadlineState"("cptsId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "DeadlineAlert_cptsId_key_alertOn_key" ON "DeadlineAlert"("cptsId", "key", "alertOn");

-- CreateIndex
CREATE UNIQUE INDEX "CrisisPlanVersion_cptsId_version_key" ON "CrisisPlanVersion"("cptsId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "CrisisPlanSection_versionId_kind_key" ON "CrisisPlanSection"("versionId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "CrisisRollCall_activationId_memberId_key" ON "CrisisRollCall"("activationId", "memberId");

-- CreateIndex
CREATE INDEX "Newsletter_state_scheduledAt_idx" ON "Newsletter"("state", "scheduledAt");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_state_nextAttemptAt_idx" ON "OutboxMessage"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_cptsId_kind_idx" ON "OutboxMessage"("cptsId", "kind");

-- CreateIndex
CREATE INDEX "OutboxMessage_refType_refId_idx" ON "OutboxMessage"("refType", "refId");

-- CreateIndex
CREATE UNIQUE INDEX "Attendance_meetingId_memberId_key" ON "Attendance"("meetingId", "memberId");

-- CreateIndex
CREATE INDEX "IndemnityRule_cptsId_validFrom_idx" ON "IndemnityRule"("cptsId", "validFrom");

-- CreateIndex
CREATE INDEX "Indemnity_cptsId_year_idx" ON "Indemnity"("cptsId", "year");

-- CreateIndex
CREATE UNIQUE INDEX "Indemnity_meetingId_memberId_key" ON "Indemnity"("meetingId", "memberId");

-- CreateIndex
CREATE UNIQUE INDEX "VoteParticipation_voteId_memberId_key" ON "VoteParticipation"("voteId", "memberId");

-- CreateIndex
CREATE UNIQUE INDEX "VoteProxy_voteId_giverId_key" ON "VoteProxy"("voteId", "giverId");

-- CreateIndex
CREATE INDEX "JobRun_jobId_startedAt_idx" ON "JobRun"("jobId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "JobRun_jobId_slot_key" ON "JobRun"("jobId", "slot");

-- CreateIndex
CREATE INDEX "AuditLog_cptsId_at_idx" ON "AuditLog"("cptsId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "AdminUser_email_key" ON "AdminUser"("email");

-- CreateIndex
CREATE UNIQUE INDEX "AdminUser_memberId_key" ON "AdminUser"("memberId");

-- CreateIndex
CREATE INDEX "LoginAttempt_key_at_idx" ON "LoginAttempt"("key", "at");

-- AddForeignKey
ALTER TABLE "Cpts" ADD CONSTRAINT "Cpts_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Cpts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Commune" ADD CONSTRAINT "Commune_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemberRole" ADD CONSTRAINT "MemberRole_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentRecord" ADD CONSTRAINT "ConsentRecord_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatWorkspace" ADD CONSTRAINT "ChatWorkspace_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatIdentity" ADD CONSTRAINT "ChatIdentity_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "ChatWorkspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatIdentity" ADD CONSTRAINT "ChatIdentity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuesRate" ADD CONSTRAINT "DuesRate_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuesPayment" ADD CONSTRAINT "DuesPayment_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuesPayment" ADD CONSTRAINT "DuesPayment_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PendingPayment" ADD CONSTRAINT "PendingPayment_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReminderPolicy" ADD CONSTRAINT "ReminderPolicy_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReminderLedger" ADD CONSTRAINT "ReminderLedger_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReminderLedger" ADD CONSTRAINT "ReminderLedger_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciContract" ADD CONSTRAINT "AciContract_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciAmendment" ADD CONSTRAINT "AciAmendment_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "AciContract"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciMission" ADD CONSTRAINT "AciMission_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "AciContract"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciIndicator" ADD CONSTRAINT "AciIndicator_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "AciContract"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciIndicatorMission" ADD CONSTRAINT "AciIndicatorMission_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "AciIndicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciIndicatorMission" ADD CONSTRAINT "AciIndicatorMission_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "AciMission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AciIndicatorResult" ADD CONSTRAINT "AciIndicatorResult_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "AciIndicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MissionEnvelope" ADD CONSTRAINT "MissionEnvelope_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvelopeExpense" ADD CONSTRAINT "EnvelopeExpense_envelopeId_fkey" FOREIGN KEY ("envelopeId") REFERENCES "MissionEnvelope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subsidy" ADD CONSTRAINT "Subsidy_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeadlineState" ADD CONSTRAINT "DeadlineState_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeadlineAlert" ADD CONSTRAINT "DeadlineAlert_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GovernanceChange" ADD CONSTRAINT "GovernanceChange_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisPlanVersion" ADD CONSTRAINT "CrisisPlanVersion_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisPlanSection" ADD CONSTRAINT "CrisisPlanSection_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "CrisisPlanVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisPlanSection" ADD CONSTRAINT "CrisisPlanSection_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisPlanReview" ADD CONSTRAINT "CrisisPlanReview_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "CrisisPlanSection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisPlanReview" ADD CONSTRAINT "CrisisPlanReview_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisActivation" ADD CONSTRAINT "CrisisActivation_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisRollCall" ADD CONSTRAINT "CrisisRollCall_activationId_fkey" FOREIGN KEY ("activationId") REFERENCES "CrisisActivation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrisisRollCall" ADD CONSTRAINT "CrisisRollCall_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Newsletter" ADD CONSTRAINT "Newsletter_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxMessage" ADD CONSTRAINT "OutboxMessage_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Meeting" ADD CONSTRAINT "Meeting_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attendance" ADD CONSTRAINT "Attendance_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attendance" ADD CONSTRAINT "Attendance_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndemnityRule" ADD CONSTRAINT "IndemnityRule_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Indemnity" ADD CONSTRAINT "Indemnity_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Indemnity" ADD CONSTRAINT "Indemnity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Indemnity" ADD CONSTRAINT "Indemnity_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vote" ADD CONSTRAINT "Vote_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteParticipation" ADD CONSTRAINT "VoteParticipation_voteId_fkey" FOREIGN KEY ("voteId") REFERENCES "Vote"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteParticipation" ADD CONSTRAINT "VoteParticipation_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteBallot" ADD CONSTRAINT "VoteBallot_voteId_fkey" FOREIGN KEY ("voteId") REFERENCES "Vote"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteProxy" ADD CONSTRAINT "VoteProxy_voteId_fkey" FOREIGN KEY ("voteId") REFERENCES "Vote"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteProxy" ADD CONSTRAINT "VoteProxy_giverId_fkey" FOREIGN KEY ("giverId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoteProxy" ADD CONSTRAINT "VoteProxy_holderId_fkey" FOREIGN KEY ("holderId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminUser" ADD CONSTRAINT "AdminUser_cptsId_fkey" FOREIGN KEY ("cptsId") REFERENCES "Cpts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminUser" ADD CONSTRAINT "AdminUser_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminSession" ADD CONSTRAINT "AdminSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "AdminUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;
