export { awsClientConfig } from './clientConfig';
export { StepFunctionsPlaybookStarter } from './stepFunctionsPlaybookStarter';
