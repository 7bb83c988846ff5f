/** Formats zod issues as one French line naming each field and what it expects. */
export function zodIssuesFr(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.join(".")} : ${i.message}` : i.message)).join(" ; ");
}
