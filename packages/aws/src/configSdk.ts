/** The parts of the Config SDK ConfigRuleLookup uses: loaded as a whole when a rule is looked up. */
export {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  NoSuchConfigRuleException,
} from '@aws-sdk/client-config-service';
