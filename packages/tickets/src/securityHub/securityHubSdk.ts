/** The parts of the Security Hub SDK the sink uses: loaded as a whole by loadSecurityHubSdk. */
export {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
