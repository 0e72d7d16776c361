/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Tourniquet on AWS: one stage per account (`npx sst deploy --stage <stage>`). The stage's
 * configuration is `tourniquet.<stage>.json` (else `tourniquet.config.json`); see docs/deploy.md.
 */
export default $config({
  async app(input) {
    const { stageSettings } = await import('./infra/settings');
    const settings = stageSettings(input?.stage ?? 'dev');
    return {
      name: 'tourniquet',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      providers: {
        aws: { region: settings.homeRegion as aws.Region, allowedAccountIds: [settings.account] },
      },
    };
  },
  async run() {
    const { stageSettings } = await import('./infra/settings');
    const settings = stageSettings($app.stage);
    // A member account gets only the roles the hub assumes, access entries and forwarding.
    if (settings.role === 'member') {
      const { memberSettings } = await import('./infra/memberSettings');
      const { member } = await import('./infra/member');
      return member(memberSettings($app.stage));
    }
    const { tourniquet } = await import('./infra/index');
    return tourniquet(settings);
  },
});
