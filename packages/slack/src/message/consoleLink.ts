import type { FindingView } from './findingView';

/**
 * Where the finding is in the AWS console, or null when the finding does not say enough.
 * Every interpolated value is URI-encoded, so the link cannot break out of Slack's `<url|label>`.
 */
export function consoleLink(finding: FindingView, consoleDomain: string): string | null {
  if (!finding.region || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(finding.region)) return null;
  const region = finding.region;
  const base = `https://${region}.${consoleDomain}`;
  const q = encodeURIComponent;
  switch (finding.origin) {
    case 'guardduty':
      return finding.id
        ? `${base}/guardduty/home?region=${region}#/findings?macros=current&fId=${q(finding.id)}`
        : null;
    case 'config':
      return finding.ruleName
        ? `${base}/config/home?region=${region}#/rules/details?configRuleName=${q(finding.ruleName)}`
        : null;
    case 'cloudtrail':
      return finding.id
        ? `${base}/cloudtrailv2/home?region=${region}#/events/${q(finding.id)}`
        : null;
    default:
      return null;
  }
}
