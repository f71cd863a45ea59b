/**
 * A suite that needs a machine tool (Chromium, PocketSphinx) is skipped with a printed reason
 * where the tool is missing, except on CI (`CI` set), where a missing tool is a failure: CI's
 * own script installs them, so a skip there would hide a broken install step.
 */
export function skipUnlessInstalled(missing: string | false | null | undefined): string | false {
  if (!missing) return false;
  if (process.env.CI) throw new Error(`${missing}, but CI must have it (.ci/run installs it)`);
  console.log(`skipping: ${missing}`);
  return missing;
}
